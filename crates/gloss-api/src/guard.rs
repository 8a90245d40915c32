//! Who may talk to `gloss serve`.
//!
//! The server listens on loopback by default, but a web page in any browser
//! tab can still reach loopback. Three checks keep such pages out:
//! - the `Host` header must name this server: `localhost`, a loopback
//!   address or the bound address; bound to every address (`0.0.0.0`,
//!   `::`), also any address of the machine's network interfaces and the
//!   machine's host name (and `NAME.local`). That defeats DNS rebinding: a
//!   foreign name resolving to one of those addresses is still refused;
//! - a state-changing request must be same-origin JSON: a cross-site page
//!   can not send `application/json` without a CORS preflight, which this
//!   server never grants, and an `Origin` that is not one of the names
//!   above is refused outright;
//! - on a non-loopback address every request must carry the token, as an
//!   `Authorization: Bearer` header or the `gloss_token` cookie that the
//!   server sets when the page is first opened with `?token=`.

use crate::error::ApiError;
use axum::http::{header, HeaderMap, Method, Uri};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone)]
pub struct Guard {
    port: u16,
    /// What `Host` may name, lowercase (IPv6 addresses without brackets).
    names: Vec<String>,
    /// Bound to every address: an address of the machine's interfaces that
    /// is not in `names` (one that came up after the start) is looked up
    /// again when a request names it.
    every_address: Option<IpAddr>,
    token: Option<String>,
}

pub const TOKEN_COOKIE: &str = "gloss_token";

/// Names listed in the message refusing a foreign `Host`.
const NAMES_TOLD: usize = 6;

impl Guard {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Self {
        let ip = addr.ip();
        let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned(), ip.to_string()];
        let every_address = ip.is_unspecified().then_some(ip);
        if ip.is_unspecified() {
            names.extend(local_addresses(ip).iter().map(IpAddr::to_string));
            names.extend(host_names());
        }
        let mut seen = std::collections::HashSet::new();
        names.retain(|name| seen.insert(name.clone()));
        Guard { port: addr.port(), names, every_address, token }
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
        if !self.names_this_server(host) {
            let told: Vec<&str> = self.names.iter().take(NAMES_TOLD).map(String::as_str).collect();
            return Err(ApiError::forbidden(format!(
                "refused: Host '{host}' is not a name of this server; open Gloss at one of {} (port {})",
                told.join(", "),
                self.port
            )));
        }
        if let Some(origin) = header_str(headers, header::ORIGIN) {
            if !origin.strip_prefix("http://").is_some_and(|authority| self.names_this_server(authority)) {
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

    /// Whether `authority` (`name`, `name:port`, `[v6]:port`) is this server.
    fn names_this_server(&self, authority: &str) -> bool {
        let Some((name, port)) = split_authority(authority) else { return false };
        if port != self.port {
            return false;
        }
        let name = name.to_ascii_lowercase();
        self.names.contains(&name)
            || self
                .every_address
                .is_some_and(|bound| name.parse::<IpAddr>().is_ok_and(|ip| local_addresses(bound).contains(&ip)))
    }
}

/// The addresses to open a server bound to `addr` at, for people: the
/// bound address itself, or for an unspecified one (`0.0.0.0`, `::`) the
/// machine's network addresses and `<host>.local`, loopback last.
pub fn urls_for(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    if !addr.ip().is_unspecified() {
        return vec![format!("http://{addr}/")];
    }
    let mut addresses = local_addresses(addr.ip());
    addresses.sort_by_key(IpAddr::is_loopback);
    let mut urls: Vec<String> =
        addresses.into_iter().map(|ip| format!("http://{}/", SocketAddr::new(ip, port))).collect();
    if let Some(local) = host_names().into_iter().find(|name| name.ends_with(".local")) {
        urls.insert(0, format!("http://{local}:{port}/"));
    }
    urls
}

/// The name and port of a `Host` header or an origin without its scheme;
/// no port means HTTP's 80.
fn split_authority(authority: &str) -> Option<(&str, u16)> {
    let (name, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (address, rest) = v6.split_once(']')?;
            (address, rest.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => 80,
    };
    (!name.is_empty()).then_some((name, port))
}

/// The addresses of the machine's network interfaces that a server bound
/// to the unspecified address `bound` is reached by: IPv4 ones for
/// `0.0.0.0`, all for `::` (which takes IPv4 too, unless the system says
/// otherwise). None when they can not be listed: only the names in the
/// guard are accepted then.
fn local_addresses(bound: IpAddr) -> Vec<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    interfaces.iter().map(if_addrs::Interface::ip).filter(|ip| bound.is_ipv6() || ip.is_ipv4()).collect()
}

/// The machine's host name, lowercase, its first label alone, and that
/// label with `.local` (mDNS), as other machines may call it.
fn host_names() -> Vec<String> {
    let name = gethostname::gethostname().to_string_lossy().to_ascii_lowercase();
    let short = name.split('.').next().unwrap_or_default().to_owned();
    if short.is_empty() || short == "localhost" {
        return Vec::new();
    }
    vec![name.clone(), short.clone(), format!("{short}.local")]
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

    /// `check` of a GET with `host`, and of a JSON POST from `origin`, both
    /// with the token `t`.
    fn answers(g: &Guard, host: &str, origin: Option<&str>) -> bool {
        let uri: Uri = "/api/call".parse().unwrap();
        let mut sent = vec![(header::HOST, host), (header::AUTHORIZATION, "Bearer t")];
        if let Some(origin) = origin {
            sent.extend([(header::CONTENT_TYPE, "application/json"), (header::ORIGIN, origin)]);
        }
        g.check(if origin.is_some() { &Method::POST } else { &Method::GET }, &uri, &headers(&sent)).is_ok()
    }

    #[test]
    fn bound_to_every_address_it_answers_to_the_machines_addresses_and_names() {
        let g = Guard::for_bind("0.0.0.0:4747".parse().unwrap(), Some("t".into()));
        let addresses = local_addresses("0.0.0.0".parse().unwrap());
        assert!(addresses.iter().any(IpAddr::is_loopback), "{addresses:?}");
        for name in addresses.iter().map(IpAddr::to_string).chain(host_names()) {
            assert!(answers(&g, &format!("{name}:4747"), None), "Host {name}");
            assert!(answers(&g, "localhost:4747", Some(&format!("http://{name}:4747"))), "Origin {name}");
        }
        assert!(answers(&g, "LocalHost:4747", None));
        assert!(!answers(&g, "evil.example:4747", None), "a foreign name is refused");
        assert!(!answers(&g, "localhost:4747", Some("http://evil.example:4747")), "a foreign origin is refused");
        assert!(!answers(&g, "127.0.0.1:4748", None), "another port is refused");
        assert!(!answers(&g, "192.0.2.1:4747", None), "an address of no interface is refused");
        let without_token = headers(&[(header::HOST, "127.0.0.1:4747")]);
        assert!(g.check(&Method::GET, &"/".parse().unwrap(), &without_token).is_err());
    }

    #[test]
    fn bound_to_one_address_it_answers_to_that_address() {
        let g = Guard::for_bind("[fd00::5]:8080".parse().unwrap(), Some("t".into()));
        assert!(answers(&g, "[fd00::5]:8080", None) && answers(&g, "[FD00::5]:8080", Some("http://[fd00::5]:8080")));
        assert!(!answers(&g, "[fd00::6]:8080", None));
        assert!(host_names().iter().all(|name| !answers(&g, &format!("{name}:8080"), None)));
    }

    #[test]
    fn authorities_split_into_name_and_port() {
        assert_eq!(split_authority("[::1]:4747"), Some(("::1", 4747)));
        assert_eq!(split_authority("example:8080"), Some(("example", 8080)));
        assert_eq!(split_authority("example"), Some(("example", 80)));
        assert_eq!(split_authority("example:http"), None);
        assert_eq!(split_authority(":4747"), None);
        assert_eq!(split_authority("[::1"), None);
    }
}
