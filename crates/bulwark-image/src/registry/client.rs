//! The HTTP side of the distribution API: one blocking `reqwest` client per image, with
//! retries (exponential back-off on connection errors, 5xx and 429) and 401 handling
//! (basic credentials, or a bearer token fetched from the challenge's realm).

use super::auth::{basic_header, parse_challenge, parse_token, Challenge};
use super::{Credentials, RegistryOptions};
use crate::reference::RegistryRef;
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, RANGE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

/// Default wait for a response and for each read of a body.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default wait for a TCP (and TLS) connection.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt.
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 3;
/// Error bodies and token answers are read up to this size.
const MAX_SMALL_BODY: u64 = 1024 * 1024;
/// First back-off delay; doubled on each retry, capped at [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Access to one repository of one registry.
pub(crate) struct Client {
    http: reqwest::blocking::Client,
    base: String,
    host: String,
    repository: String,
    credentials: Option<Credentials>,
    /// `Authorization` value learned from the last challenge, reused by later requests.
    auth: Mutex<Option<String>>,
    insecure: bool,
    timeout: Duration,
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
}

/// A small document read whole: body and the headers that matter.
pub(crate) struct Small {
    pub(crate) body: Vec<u8>,
    pub(crate) content_type: Option<String>,
    pub(crate) docker_content_digest: Option<String>,
}

impl Client {
    /// A client for `r`'s repository with `credentials` (already resolved from options or docker config).
    pub(crate) fn new(
        r: &RegistryRef,
        options: &RegistryOptions,
        credentials: Option<Credentials>,
    ) -> Result<Client, String> {
        let timeout = options.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            // Blocking reqwest applies this to waiting for the response and to every body read.
            .timeout(timeout)
            .user_agent(concat!("bulwark/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| format!("cannot create an HTTP client: {}", describe(&e)))?;
        let scheme = if options.insecure { "http" } else { "https" };
        Ok(Client {
            http,
            base: format!("{scheme}://{}", r.registry),
            host: r.registry.clone(),
            repository: r.repository.clone(),
            credentials,
            auth: Mutex::new(None),
            insecure: options.insecure,
            timeout,
            max_retries: options.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
        })
    }

    /// `/v2/<repo>/<kind>/<reference>` as a full URL.
    pub(crate) fn url(&self, kind: &str, reference: &str) -> String {
        format!("{}/v2/{}/{kind}/{reference}", self.base, self.repository)
    }

    fn current_auth(&self) -> Option<String> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_auth(&self, value: String) {
        *self.auth.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
    }

    /// Sends the request `build` makes, retrying connection errors, 5xx and 429 with back-off.
    /// Any other answer (including 401) is returned. Timeouts are not retried: the wait was already long.
    fn send(&self, what: &str, build: &dyn Fn() -> RequestBuilder) -> Result<Response, String> {
        let mut attempt = 0u32;
        loop {
            let result = build().send();
            let delay = match &result {
                Err(e) if e.is_timeout() => {
                    return Err(format!(
                        "{what}: no answer from {} within {:?}: {}",
                        self.host,
                        self.timeout,
                        describe(e)
                    ))
                }
                Err(e) if e.is_builder() || e.is_redirect() => return Err(format!("{what}: {}", describe(e))),
                Err(_) => backoff(attempt),
                Ok(resp) if is_retryable(resp.status()) => retry_after(resp.headers()).unwrap_or(backoff(attempt)),
                Ok(_) => Duration::ZERO,
            };
            match result {
                Ok(resp) if !is_retryable(resp.status()) => return Ok(resp),
                Ok(resp) if attempt >= self.max_retries => {
                    return Err(format!("{what}: {} (gave up after {} attempts)", status_message(resp), attempt + 1))
                }
                Err(e) if attempt >= self.max_retries => {
                    return Err(format!(
                        "{what}: cannot reach {}: {} (gave up after {} attempts)",
                        self.host,
                        describe(&e),
                        attempt + 1
                    ))
                }
                Ok(resp) => tracing::warn!("{what}: {}; retrying in {delay:?}", resp.status()),
                Err(e) => tracing::warn!("{what}: {}; retrying in {delay:?}", describe(&e)),
            }
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    /// GETs `url` as this repository's reader: authenticates on 401 (once per call), fails on
    /// any non-success status with the registry's own error message. `range_from` asks for
    /// the bytes from that offset on (the caller checks whether the server honoured it).
    pub(crate) fn get(
        &self,
        url: &str,
        accept: Option<&str>,
        range_from: Option<u64>,
        what: &str,
    ) -> Result<Response, String> {
        let mut authenticated = false;
        loop {
            let auth = self.current_auth();
            let build = || {
                let mut req = self.http.get(url);
                if let Some(a) = accept {
                    req = req.header(ACCEPT, a);
                }
                if let Some(a) = &auth {
                    req = req.header(AUTHORIZATION, a);
                }
                if let Some(offset) = range_from {
                    req = req.header(RANGE, format!("bytes={offset}-"));
                }
                req
            };
            let resp = self.send(what, &build)?;
            if resp.status() == StatusCode::UNAUTHORIZED {
                if authenticated || (auth.is_some() && self.credentials.is_some() && is_basic(&auth)) {
                    return Err(self.auth_failed(resp));
                }
                let challenge = resp.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).map(str::to_string);
                self.authenticate(challenge.as_deref(), resp)?;
                authenticated = true;
                continue;
            }
            if !resp.status().is_success() {
                return Err(format!("{what}: {}", status_message(resp)));
            }
            return Ok(resp);
        }
    }

    /// GETs a small document and reads it whole (at most `limit` bytes), retrying when the body
    /// breaks off before its end.
    pub(crate) fn get_small(&self, url: &str, accept: Option<&str>, limit: u64, what: &str) -> Result<Small, String> {
        let mut attempt = 0u32;
        loop {
            let resp = self.get(url, accept, None, what)?;
            let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let content_type = header("content-type");
            let docker_content_digest = header("docker-content-digest");
            if let Some(len) = resp.content_length().filter(|l| *l > limit) {
                return Err(format!("{what}: {len} bytes, larger than the {limit} allowed for it"));
            }
            let mut body = Vec::new();
            match resp.take(limit + 1).read_to_end(&mut body) {
                Ok(_) if body.len() as u64 > limit => {
                    return Err(format!("{what}: larger than the {limit} bytes allowed for it"))
                }
                Ok(_) => return Ok(Small { body, content_type, docker_content_digest }),
                Err(e) if attempt < self.max_retries => {
                    let delay = backoff(attempt);
                    tracing::warn!("{what}: body broke off ({e}); retrying in {delay:?}");
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                Err(e) => return Err(format!("{what}: reading the answer from {} failed: {e}", self.host)),
            }
        }
    }

    /// Answers a 401 challenge: stores basic credentials or a freshly fetched bearer token.
    fn authenticate(&self, challenge: Option<&str>, resp: Response) -> Result<(), String> {
        match parse_challenge(challenge.unwrap_or("")) {
            Challenge::Basic => match &self.credentials {
                Some(c) => {
                    self.set_auth(basic_header(c));
                    Ok(())
                }
                None => Err(self.auth_required(resp)),
            },
            Challenge::Bearer { realm, service, scope } => {
                let scope = scope.unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                let token = self.fetch_token(&realm, service.as_deref(), &scope)?;
                self.set_auth(format!("Bearer {token}"));
                Ok(())
            }
            Challenge::Unsupported(s) => Err(format!(
                "{} answered 401 with an authentication scheme Bulwark does not support ({s:?}); {}",
                self.host,
                status_message(resp)
            )),
        }
    }

    /// GETs a token from `realm` (with basic credentials when we have some).
    fn fetch_token(&self, realm: &str, service: Option<&str>, scope: &str) -> Result<String, String> {
        let mut url = reqwest::Url::parse(realm)
            .map_err(|e| format!("{} names a token endpoint that is not a URL ({realm:?}): {e}", self.host))?;
        if url.scheme() != "https" && !self.insecure && self.credentials.is_some() {
            return Err(format!(
                "{} names a plain-HTTP token endpoint ({realm}); refusing to send credentials there without --insecure",
                self.host
            ));
        }
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            q.append_pair("scope", scope);
        }
        let what = format!("token for {scope} from {realm}");
        let build = || {
            let req = self.http.get(url.clone());
            match &self.credentials {
                Some(c) => req.basic_auth(&c.username, Some(&c.password)),
                None => req,
            }
        };
        let resp = self.send(&what, &build)?;
        match resp.status() {
            s if s.is_success() => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if self.credentials.is_some() => {
                return Err(self.auth_failed(resp))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Err(self.auth_required(resp)),
            _ => return Err(format!("{what}: {}", status_message(resp))),
        }
        let mut body = Vec::new();
        resp.take(MAX_SMALL_BODY)
            .read_to_end(&mut body)
            .map_err(|e| format!("{what}: reading the answer failed: {e}"))?;
        parse_token(&body).map_err(|m| format!("{what}: {m}"))
    }

    fn auth_failed(&self, resp: Response) -> String {
        format!(
            "authentication to {} failed: {}; check --username/--password-stdin or ~/.docker/config.json",
            self.host,
            status_message(resp)
        )
    }

    fn auth_required(&self, resp: Response) -> String {
        format!(
            "{} requires authentication ({}); pass --username/--password-stdin or add credentials for it to \
             ~/.docker/config.json",
            self.host,
            status_message(resp)
        )
    }
}

fn is_basic(auth: &Option<String>) -> bool {
    auth.as_deref().is_some_and(|a| a.starts_with("Basic "))
}

/// Statuses worth another try: 429 and 5xx except "not implemented" / "version not supported".
fn is_retryable(s: StatusCode) -> bool {
    s == StatusCode::TOO_MANY_REQUESTS
        || (s.is_server_error() && s != StatusCode::NOT_IMPLEMENTED && s != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}

/// `FIRST_BACKOFF × 2^attempt`, capped.
pub(crate) fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX)).min(MAX_BACKOFF)
}

/// A `Retry-After: <seconds>` header, capped at 30 s.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(30)))
}

/// `404 Not Found: MANIFEST_UNKNOWN: manifest unknown` — status plus the registry's error list.
pub(crate) fn status_message(resp: Response) -> String {
    let status = resp.status();
    let mut body = Vec::new();
    let _ = resp.take(64 * 1024).read_to_end(&mut body);
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let detail = match serde_json::from_slice::<Errors>(&body) {
        Ok(e) if !e.errors.is_empty() => {
            e.errors.iter().map(|e| format!("{}: {}", e.code, e.message)).collect::<Vec<_>>().join("; ")
        }
        _ => String::from_utf8_lossy(&body).chars().filter(|c| !c.is_control()).take(200).collect(),
    };
    if detail.trim().is_empty() {
        status.to_string()
    } else {
        format!("{status}: {}", detail.trim())
    }
}

/// An error with its chain of causes, e.g. `error sending request …: connection refused`.
pub(crate) fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}
