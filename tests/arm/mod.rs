//! The ARM client against scripted servers on 127.0.0.1: retries, long-running
//! operations, paging, credentials and the promise that no token or secret is logged.

mod auth;
mod lro;
mod paging;
mod retries;
mod secrets_in_logs;
mod server;
