//! The emulator over real HTTP: ARM behaviour, fidelity to ACI, faults and throttling,
//! persistence across restarts and processes, and every official example.

mod arm;
mod examples;
mod faults;
mod fidelity;
mod persistence;

use std::time::{Duration, Instant};

use aciform::emulator::{EmulatorConfig, EmulatorHandle, start};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde_json::{Value, json};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
pub const ACI: &str = "2025-09-01";
pub const RES: &str = "2024-11-01";
pub const TOKEN: &str = "test-token";

/// An emulator on 127.0.0.1:0 with a client that sends a bearer token.
pub struct Cloud {
    pub handle: EmulatorHandle,
    pub client: Client,
    pub base: String,
}

/// An answer: status, headers and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn code(&self) -> &str {
        self.json
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

impl Cloud {
    pub async fn start() -> Cloud {
        Cloud::with(EmulatorConfig::for_tests()).await
    }

    pub async fn with(config: EmulatorConfig) -> Cloud {
        let handle = start(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("emulator starts");
        Cloud {
            base: handle.base_url(),
            handle,
            client: client(),
        }
    }

    /// Sends `method path` (the path may carry a query) with the test token.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        send_to(&self.client, &self.base, method, path, body, Some(TOKEN)).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn put_rg(&self, sub: &str, rg: &str, location: &str) -> Resp {
        let resp = self
            .send(
                Method::PUT,
                &rg_path(sub, rg),
                Some(&json!({ "location": location })),
            )
            .await;
        assert!(resp.status == 201 || resp.status == 200, "{resp:?}");
        resp
    }

    pub async fn put_cg(&self, rg: &str, name: &str, body: &Value) -> Resp {
        self.send(Method::PUT, &cg_path(SUB, rg, name), Some(body))
            .await
    }

    /// Polls the `Azure-AsyncOperation` URL of `resp` until the operation is terminal.
    pub async fn wait(&self, resp: &Resp) -> Value {
        let url = resp
            .header("azure-asyncoperation")
            .expect("Azure-AsyncOperation header")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let poll = self
                .client
                .get(&url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("poll");
            assert_eq!(poll.status().as_u16(), 200);
            let body: Value = poll.json().await.expect("operation body");
            let status = body["status"].as_str().unwrap_or("").to_string();
            if ["Succeeded", "Failed", "Canceled"].contains(&status.as_str()) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "operation never finished: {body}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// PUTs a resource group `rg` in westeurope and the group, and waits for it.
    pub async fn create_group(&self, rg: &str, name: &str, body: &Value) -> Value {
        self.put_rg(SUB, rg, "westeurope").await;
        let resp = self.put_cg(rg, name, body).await;
        assert!(resp.status == 201 || resp.status == 200, "{resp:?}");
        let op = self.wait(&resp).await;
        assert_eq!(op["status"], "Succeeded", "{op}");
        self.get(&cg_path(SUB, rg, name)).await.json
    }
}

pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub async fn send_to(
    client: &Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Resp {
    let mut request = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request is answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        json,
        text,
    }
}

pub fn rg_path(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourcegroups/{rg}?api-version={RES}")
}

/// `/subscriptions/SUB[/resourceGroups/RG]/providers/Microsoft.ContainerInstance/REST`.
pub fn aci_path(sub: &str, rg: Option<&str>, rest: &str) -> String {
    let scope = match rg {
        Some(rg) => format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        None => format!("/subscriptions/{sub}"),
    };
    format!("{scope}/providers/Microsoft.ContainerInstance/{rest}")
}

pub fn cg_base(sub: &str, rg: &str, name: &str) -> String {
    aci_path(sub, Some(rg), &format!("containerGroups/{name}"))
}

pub fn cg_path(sub: &str, rg: &str, name: &str) -> String {
    format!("{}?api-version={ACI}", cg_base(sub, rg, name))
}

/// A one-container Linux group running `image`, with a public IP on port 80.
pub fn group(image: &str) -> Value {
    json!({
        "location": "westeurope",
        "properties": {
            "osType": "Linux",
            "containers": [{ "name": "app", "properties": {
                "image": image,
                "ports": [{ "port": 80 }],
                "resources": { "requests": { "cpu": 1, "memoryInGB": 1.5 } },
            }}],
            "ipAddress": { "type": "Public", "ports": [{ "port": 80, "protocol": "TCP" }] },
        }
    })
}
