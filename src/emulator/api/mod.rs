//! ARM request handlers, one file per resource family, behind one dispatch on the
//! parsed route and method. Handlers see a [`Ctx`] (the emulator, the request's base
//! URL, api-version, query and clock) and return a response or an [`ArmError`].

pub mod container_groups;
pub mod extras;
pub mod ngroups;
pub mod operations;
pub mod profiles;
pub mod resource_groups;
pub mod resources;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::ArmError;
use super::route::{Action, Route};
use super::server::Emu;

/// What a handler knows about the request it answers.
pub struct Ctx<'a> {
    pub emu: &'a Emu,
    /// `http://host:port` as the client addressed the emulator.
    pub base: String,
    /// The request path, as sent (for `nextLink`).
    pub path: String,
    pub api_version: String,
    pub query: Vec<(String, String)>,
    pub now: i64,
}

impl Ctx<'_> {
    /// A query parameter (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How long operations take, in milliseconds.
    pub fn op_ms(&self) -> i64 {
        self.emu.config.operation_time.as_millis() as i64
    }

    /// The container cycle, in milliseconds.
    pub fn cycle_ms(&self) -> i64 {
        self.emu.config.container_cycle.as_millis() as i64
    }
}

/// Answers one ARM request.
pub fn dispatch(
    ctx: &Ctx<'_>,
    route: Route,
    method: &Method,
    body: &[u8],
) -> Result<Response, ArmError> {
    use container_groups as cg;
    match (route, method.clone()) {
        (Route::ResourceGroups { sub }, Method::GET) => resource_groups::list(ctx, &sub),
        (Route::ResourceGroup { sub, rg }, Method::GET) => resource_groups::get(ctx, &sub, &rg),
        (Route::ResourceGroup { sub, rg }, Method::HEAD) => resource_groups::head(ctx, &sub, &rg),
        (Route::ResourceGroup { sub, rg }, Method::PUT) => {
            resource_groups::put(ctx, &sub, &rg, body)
        }
        (Route::ResourceGroup { sub, rg }, Method::PATCH) => {
            resource_groups::patch(ctx, &sub, &rg, body)
        }
        (Route::ResourceGroup { sub, rg }, Method::DELETE) => {
            resource_groups::delete(ctx, &sub, &rg)
        }
        (Route::ResourcesInRg { sub, rg }, Method::GET) => resources::list_in_group(ctx, &sub, &rg),
        (Route::ResourceGroupOperation { sub, op }, Method::GET) => {
            operations::resource_group_result(ctx, &sub, &op)
        }
        (Route::ContainerGroupsInSub { sub }, Method::GET) => cg::list(ctx, &sub, None),
        (Route::ContainerGroupsInRg { sub, rg }, Method::GET) => cg::list(ctx, &sub, Some(&rg)),
        (Route::ContainerGroup(s), Method::GET) => cg::get(ctx, &s),
        (Route::ContainerGroup(s), Method::PUT) => cg::put(ctx, &s, body),
        (Route::ContainerGroup(s), Method::PATCH) => cg::patch(ctx, &s, body),
        (Route::ContainerGroup(s), Method::DELETE) => cg::delete(ctx, &s),
        (Route::ContainerGroupAction(s, Action::Start), Method::POST) => cg::start(ctx, &s),
        (Route::ContainerGroupAction(s, Action::Stop), Method::POST) => cg::stop(ctx, &s),
        (Route::ContainerGroupAction(s, Action::Restart), Method::POST) => cg::restart(ctx, &s),
        (Route::ContainerLogs(s, c), Method::GET) => cg::logs(ctx, &s, &c),
        (Route::ContainerExec(s, c), Method::POST) => cg::exec(ctx, &s, &c),
        (Route::ContainerAttach(s, c), Method::POST) => cg::exec(ctx, &s, &c),
        (Route::OutboundDependencies(s), Method::GET) => cg::outbound(ctx, &s),
        (Route::Operation { sub, op, result }, Method::GET) => {
            operations::status(ctx, &sub, &op, result)
        }
        (Route::Usages { sub, location }, Method::GET) => extras::usages(ctx, &sub, &location),
        (Route::Capabilities { location, .. }, Method::GET) => extras::capabilities(ctx, &location),
        (Route::CachedImages { .. }, Method::GET) => extras::cached_images(ctx),
        (Route::ProviderOperations, Method::GET) => extras::provider_operations(ctx),
        (Route::SubnetServiceAssociationLink { .. }, Method::DELETE) => {
            Ok(StatusCode::OK.into_response())
        }
        (Route::ProfilesInSub { sub }, Method::GET) => profiles::list(ctx, &sub, None),
        (Route::ProfilesInRg { sub, rg }, Method::GET) => profiles::list(ctx, &sub, Some(&rg)),
        (Route::Profile(s), Method::GET) => profiles::get(ctx, &s, None),
        (Route::Profile(s), Method::PUT) => profiles::put(ctx, &s, body),
        (Route::Profile(s), Method::PATCH) => profiles::patch(ctx, &s, body),
        (Route::Profile(s), Method::DELETE) => profiles::delete(ctx, &s),
        (Route::ProfileRevisions(s), Method::GET) => profiles::revisions(ctx, &s),
        (Route::ProfileRevision(s, r), Method::GET) => profiles::get(ctx, &s, Some(&r)),
        (Route::NGroupsInSub { sub }, Method::GET) => ngroups::list(ctx, &sub, None),
        (Route::NGroupsInRg { sub, rg }, Method::GET) => ngroups::list(ctx, &sub, Some(&rg)),
        (Route::NGroup(s), Method::GET) => ngroups::get(ctx, &s),
        (Route::NGroup(s), Method::PUT) => ngroups::put(ctx, &s, body),
        (Route::NGroup(s), Method::PATCH) => ngroups::patch(ctx, &s, body),
        (Route::NGroup(s), Method::DELETE) => ngroups::delete(ctx, &s),
        (Route::NGroupAction(s, action), Method::POST) => ngroups::action(ctx, &s, action),
        (_, method) => Err(ArmError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "HttpMethodNotSupported",
            format!("The HTTP method '{method}' is not supported for this resource."),
        )),
    }
}

/// A JSON answer.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    // JSON values and the emulator's own types always serialize; never answer an
    // empty 200 if one did not.
    let Ok(bytes) = serde_json::to_vec(body) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// Adds headers to a response (invalid values are skipped).
pub fn with_headers(mut response: Response, headers: Vec<(&'static str, String)>) -> Response {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Parses a request body as a JSON object.
pub fn parse_object(body: &[u8]) -> Result<Value, ArmError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::invalid_content(format!("{e}")))?;
    if !value.is_object() {
        return Err(ArmError::invalid_content(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

/// The service's list order: stable, but neither alphabetical nor creation order, so
/// clients that compare lists by position are caught.
pub fn service_order(name: &str) -> String {
    Sha256::digest(name.to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A page of a list: `{ "value": [...], "nextLink"?: "..." }`, honouring `$skiptoken`
/// and `$top`.
pub fn page<T: Serialize>(ctx: &Ctx<'_>, mut items: Vec<(String, T)>) -> Response {
    /// A page of a LIST answer.
    #[derive(Serialize)]
    struct Page<T> {
        #[serde(rename = "nextLink", skip_serializing_if = "Option::is_none")]
        next_link: Option<String>,
        value: Vec<T>,
    }

    items.sort_by(|a, b| a.0.cmp(&b.0));
    let skip: usize = ctx
        .param("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let size = ctx
        .param("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(ctx.emu.config.page_size)
        .clamp(1, ctx.emu.config.page_size.max(1));

    let total = items.len();
    let value: Vec<T> = items
        .into_iter()
        .skip(skip)
        .take(size)
        .map(|(_, v)| v)
        .collect();
    let next_link = (skip + size < total).then(|| {
        format!(
            "{}{}?api-version={}&$skiptoken={}",
            ctx.base,
            ctx.path,
            ctx.api_version,
            skip + size
        )
    });
    json_response(StatusCode::OK, &Page { next_link, value })
}
