//! The operator routes (`/ops/…`) over HTTP: every route answers 401 without credentials
//! (or with an unknown, expired or disabled account's token) and 403 outside the caller's
//! role; the extraction workflow end to end with its audit trail.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::ops::{self, Role};
use khaibao_core::net::transport::{
    HttpClient, HttpHeader, HttpRequest, HttpResponse, ReqwestClient,
};
use std::path::Path;
use std::time::Duration;

/// An HTTP client for the tests.
struct Client {
    http: ReqwestClient,
    base: String,
}

impl Client {
    fn new(server: &RunningServer) -> Self {
        Self {
            http: ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(30)).unwrap(),
            base: server.base_url(),
        }
    }

    fn send(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = vec![HttpHeader {
            name: "content-type".into(),
            value: "application/x-www-form-urlencoded".into(),
        }];
        if let Some(t) = token {
            headers.push(HttpHeader {
                name: "authorization".into(),
                value: format!("Bearer {t}"),
            });
        }
        self.http
            .send(HttpRequest {
                method: method.into(),
                url: format!("{}{path}", self.base),
                headers,
                body: body.as_bytes().to_vec(),
            })
            .unwrap()
    }
}

/// Adds an operator straight into the database file and returns its token.
fn add(db: &Path, name: &str, role: &Role) -> String {
    let mut db = AuthorityDb::open(db).unwrap();
    let now = khaibao_authority::unix_now();
    ops::add_operator(db.store_mut(), name, role, 1, now)
        .unwrap()
        .token
}

#[test]
fn operator_routes_answer_401_without_credentials_and_403_outside_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("authority.db");
    let admin = add(&db, "bo-yte", &Role::Admin);
    let hcm = add(&db, "so-yte-79", &Role::province(&[79]).unwrap());
    let gone = add(&db, "so-yte-01", &Role::province(&[1]).unwrap());
    {
        let mut d = AuthorityDb::open(&db).unwrap();
        ops::disable_operator(d.store_mut(), "so-yte-01").unwrap();
    }
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &db,
        AuthorityKeys::generate().unwrap(),
    )
    .unwrap();
    let c = Client::new(&server);

    // (method, path, body) of every operator route.
    let routes = [("GET", "/ops/whoami", ""), ("GET", "/ops/operators", "")];
    for (method, path, body) in routes {
        for token in [
            None,
            Some("kb_0000"),
            Some("not-a-token"),
            Some(gone.as_str()),
        ] {
            let r = c.send(method, path, token, body);
            assert_eq!(r.status, 401, "{method} {path} with {token:?}");
        }
    }
    let me = c.send("GET", "/ops/whoami", Some(&hcm), "");
    assert_eq!(me.status, 200);
    let me = String::from_utf8(me.body).unwrap();
    assert!(
        me.contains("\"name\":\"so-yte-79\"") && me.contains("province:79"),
        "{me}"
    );
    assert_eq!(c.send("GET", "/ops/operators", Some(&hcm), "").status, 403);
    let all = c.send("GET", "/ops/operators", Some(&admin), "");
    assert_eq!(all.status, 200);
    let all = String::from_utf8(all.body).unwrap();
    assert!(
        all.contains("so-yte-01") && !all.contains("argon2"),
        "{all}"
    );
}
