//! Who may talk to `gloss serve`.
//!
//! The server listens on loopback by default, but a web page in any browser
//! tab can still reach loopback. Three checks keep such pages out:
//! - the `Host` header must name the bound address or `localhost`, which
//!   defeats DNS rebinding (a foreign name resolving to 127.0.0.1);
//! - a state-changing request must be same-origin JSON: a cross-site page
//!   can not send `application/json` without a CORS preflight, which this
//!   server never grants, and a foreign `Origin` is refused outright;
//! - on a non-loopback address every request must carry the token, as an
//!   `Authorization: Bearer` header or the `gloss_token` cookie that the
//!   server sets when the page is first opened with `?token=`.

use crate::error::ApiError;
use axum::http::{header, HeaderMap, Method, Uri};
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Guard {
    allowed_hosts: Vec<String>,
    token: Option<String>,
}

pub const TOKEN_COOKIE: &str = "gloss_token";

impl Guard {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Self {
        let port = addr.port();
        let mut allowed_hosts =
            vec![format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}"), addr.to_string()];
        if port == 80 {
            allowed_hosts.extend(["localhost".into(), "127.0.0.1".into(), addr.ip().to_string()]);
        }
        Guard { allowed_hosts, token }
    }

    /// The guard for a server bound to `addr`: off loopback a token is
    /// required, and one is generated when none was given.
    pub fn for_bind(addr: SocketAddr, token: Option<String>) -> Self {
        let token = match token {
            Some(token) => Some(token),
            None if addr.ip().is_loopback() => None,
            None => Some(new_token()),
        };
        Guard::new(addr, token)
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Checks one request; `Err` says why it is refused.
    pub fn check(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), ApiError> {
        let host = header_str(headers, header::HOST).unwrap_or_default();
        if !self.allowed_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) {
            return Err(ApiError::forbidden(format!(
                "refused: Host '{host}' is not this server's address; open Gloss at http://{}",
                self.allowed_hosts[0]
            )));
        }
        if let Some(origin) = header_str(headers, header::ORIGIN) {
            let origin_host = origin.strip_prefix("http://").unwrap_or("");
            if !self.allowed_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(origin_host)) {
                return Err(ApiError::forbidden(format!("refused: requests from origin '{origin}' are not allowed")));
            }
        }
        if is_state_changing(method) {
            let json = header_str(headers, header::CONTENT_TYPE).is_some_and(|ct| {
                ct.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
            if !json {
                return Err(ApiError::forbidden("refused: send the request body as Content-Type: application/json"));
            }
        }
        if let Some(token) = &self.token {
            if presented_token(uri, headers).as_deref() != Some(token.as_str()) {
                return Err(ApiError::forbidden(
                    "refused: this server needs its access token; open the URL that `gloss serve` printed",
                ));
            }
        }
        Ok(())
    }
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A fresh random access token.
pub fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The token a request carries: bearer header, cookie, or `?token=` query.
pub fn presented_token(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = header_str(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ")) {
        return Some(bearer.trim().to_owned());
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value.to_owned());
    cookie.or_else(|| query_token(uri))
}

pub fn query_token(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "token")
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn guard(token: Option<&str>) -> Guard {
        Guard::new("127.0.0.1:4747".parse().unwrap(), token.map(str::to_owned))
    }

    #[test]
    fn a_non_loopback_bind_always_has_a_token() {
        assert!(Guard::for_bind("127.0.0.1:1".parse().unwrap(), None).token().is_none());
        assert!(Guard::for_bind("0.0.0.0:1".parse().unwrap(), None).token().is_some());
        let given = Guard::for_bind("0.0.0.0:1".parse().unwrap(), Some("t".into()));
        assert_eq!(given.token(), Some("t"));
    }

    #[test]
    fn foreign_host_is_refused() {
        let uri: Uri = "/api/health".parse().unwrap();
        let ok = headers(&[(header::HOST, "localhost:4747")]);
        assert!(guard(None).check(&Method::GET, &uri, &ok).is_ok());
        let rebinding = headers(&[(header::HOST, "evil.example:4747")]);
        assert!(guard(None).check(&Method::GET, &uri, &rebinding).is_err());
    }

    #[test]
    fn writes_need_same_origin_json() {
        let uri: Uri = "/api/call".parse().unwrap();
        let form = headers(&[(header::HOST, "127.0.0.1:4747"), (header::CONTENT_TYPE, "text/plain")]);
        assert!(guard(None).check(&Method::POST, &uri, &form).is_err());
        let foreign = headers(&[
            (header::HOST, "127.0.0.1:4747"),
            (header::CONTENT_TYPE, "application/json"),
            (header::ORIGIN, "http://evil.example"),
        ]);
        assert!(guard(None).check(&Method::POST, &uri, &foreign).is_err());
        let same = headers(&[
            (header::HOST, "127.0.0.1:4747"),
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::ORIGIN, "http://127.0.0.1:4747"),
        ]);
        assert!(guard(None).check(&Method::POST, &uri, &same).is_ok());
    }

    #[test]
    fn token_is_read_from_header_cookie_or_query() {
        let g = guard(Some("s3cret"));
        let host = (header::HOST, "127.0.0.1:4747");
        let plain: Uri = "/".parse().unwrap();
        assert!(g.check(&Method::GET, &plain, &headers(std::slice::from_ref(&host))).is_err());
        let bearer = headers(&[host.clone(), (header::AUTHORIZATION, "Bearer s3cret")]);
        assert!(g.check(&Method::GET, &plain, &bearer).is_ok());
        let cookie = headers(&[host.clone(), (header::COOKIE, "a=b; gloss_token=s3cret")]);
        assert!(g.check(&Method::GET, &plain, &cookie).is_ok());
        let query: Uri = "/?token=s3cret".parse().unwrap();
        assert!(g.check(&Method::GET, &query, &headers(&[host])).is_ok());
    }
}
