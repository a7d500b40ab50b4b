//! The operator routes (`/ops/…`) over HTTP: every route answers 401 without credentials
//! (or with an unknown, expired or disabled account's token) and 403 outside the caller's
//! role; the extraction workflow end to end with its audit trail.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::audit;
use khaibao_authority::db::AuthorityDb;
use khaibao_authority::extraction::{self, DOWNLOAD_SECONDS, ExtractionError};
use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::ops::{self, Operator, Role};
use khaibao_core::net::transport::{
    HttpClient, HttpHeader, HttpRequest, HttpResponse, ReqwestClient,
};
use khaibao_core::seal::DeviceKey;
use khaibao_tests::declarations::sealed;
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
    let routes = [
        ("GET", "/ops/whoami", ""),
        ("GET", "/ops/operators", ""),
        ("GET", "/ops/audit", ""),
        ("POST", "/ops/extractions", "scope=province:79"),
        ("GET", "/ops/extractions", ""),
        ("GET", "/ops/extractions/1", ""),
        ("POST", "/ops/extractions/1/approve", ""),
        ("POST", "/ops/extractions/1/refuse", ""),
        ("GET", "/ops/extractions/1/csv", ""),
    ];
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
    assert_eq!(c.send("GET", "/ops/audit", Some(&hcm), "").status, 403);
    let log = c.send("GET", "/ops/audit", Some(&admin), "");
    assert_eq!(log.status, 200);
    assert!(
        String::from_utf8(log.body)
            .unwrap()
            .contains("\"verified\":true")
    );
    let all = c.send("GET", "/ops/operators", Some(&admin), "");
    assert_eq!(all.status, 200);
    let all = String::from_utf8(all.body).unwrap();
    assert!(
        all.contains("so-yte-01") && !all.contains("argon2"),
        "{all}"
    );
}

const VENUE: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const OTHER_VENUE: &str = "00112233445566778899aabbccddeeff";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";

fn body(r: &HttpResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

fn id_of(r: &HttpResponse) -> i64 {
    let text = body(r);
    let rest = text.split("\"id\":").nth(1).unwrap();
    rest.split([',', '}']).next().unwrap().parse().unwrap()
}

#[test]
fn extraction_is_requested_approved_downloaded_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("authority.db");
    let admin = add(&db_path, "bo-yte", &Role::Admin);
    let hcm = add(&db_path, "so-yte-79", &Role::province(&[79]).unwrap());
    let hcm2 = add(
        &db_path,
        "so-yte-79-truong",
        &Role::province(&[79]).unwrap(),
    );
    let hanoi = add(&db_path, "so-yte-01", &Role::province(&[1]).unwrap());
    let unit = add(&db_path, "pho-thin", &Role::unit(&[VENUE]).unwrap());

    let keys = AuthorityKeys::generate().unwrap();
    let public = keys.public().sealing_public;
    let device = DeviceKey::generate().unwrap();
    let now = khaibao_authority::unix_now();
    let items = vec![
        sealed(&device, &public, FORMULA, 79, Some(VENUE), now - 3 * 3600),
        sealed(
            &device,
            &public,
            "Lê Văn Tám",
            79,
            Some(OTHER_VENUE),
            now - 2 * 3600,
        ),
        sealed(&device, &public, "Hà Nội Người", 1, Some(VENUE), now - 3600),
    ];
    AuthorityDb::open(&db_path)
        .unwrap()
        .ingest(keys.sealing(), &items, now)
        .unwrap();
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), &db_path, keys).unwrap();
    let c = Client::new(&server);
    let range = format!("since={}&until={}", now - 86_400, now + 60);

    // A department asks for its province; another province may not, nor see it.
    let ask = format!("scope=province:79&{range}&reason=outbreak+at+market");
    assert_eq!(
        c.send("POST", "/ops/extractions", Some(&hanoi), &ask)
            .status,
        403
    );
    assert_eq!(
        c.send("POST", "/ops/extractions", Some(&unit), &ask).status,
        403
    );
    let asked = c.send("POST", "/ops/extractions", Some(&hcm), &ask);
    assert_eq!(asked.status, 201, "{}", body(&asked));
    let id = id_of(&asked);
    assert!(body(&asked).contains("\"state\":\"pending\""));
    let no_reason = format!("scope=province:79&{range}&reason=");
    assert_eq!(
        c.send("POST", "/ops/extractions", Some(&hcm), &no_reason)
            .status,
        400
    );
    let path = |what: &str| format!("/ops/extractions/{id}{what}");

    assert_eq!(c.send("GET", &path(""), Some(&hanoi), "").status, 403);
    assert!(!body(&c.send("GET", "/ops/extractions", Some(&hanoi), "")).contains("province:79"));
    // Nobody downloads before the approval; nobody approves their own request or outside
    // their scope.
    assert_eq!(c.send("GET", &path("/csv"), Some(&hcm), "").status, 409);
    assert_eq!(
        c.send("POST", &path("/approve"), Some(&hcm), "").status,
        403
    );
    assert_eq!(
        c.send("POST", &path("/approve"), Some(&hanoi), "").status,
        403
    );
    assert_eq!(
        c.send("POST", &path("/refuse"), Some(&hanoi), "").status,
        403
    );
    assert_eq!(
        c.send("POST", &path("/approve"), Some(&unit), "").status,
        403
    );
    let approved = c.send("POST", &path("/approve"), Some(&hcm2), "");
    assert_eq!(approved.status, 200, "{}", body(&approved));
    assert!(body(&approved).contains("\"state\":\"approved\""));
    assert_eq!(
        c.send("POST", &path("/refuse"), Some(&admin), "").status,
        409
    );

    // Only the requester downloads: the province's rows, the formula neutralised.
    assert_eq!(c.send("GET", &path("/csv"), Some(&hcm2), "").status, 403);
    assert_eq!(c.send("GET", &path("/csv"), Some(&hanoi), "").status, 403);
    let csv = c.send("GET", &path("/csv"), Some(&hcm), "");
    assert_eq!(csv.status, 200);
    let csv = body(&csv);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Bấm vào đây\"\")\","),
        "{csv}"
    );
    assert!(csv.contains("Lê Văn Tám") && !csv.contains("Hà Nội Người"));

    // A unit asks for its venue; the ministry approves; the CSV holds that venue only.
    let ask = format!("scope=venue:{VENUE}&{range}&reason=staff+tested+positive");
    let other = format!("scope=venue:{OTHER_VENUE}&{range}&reason=x");
    assert_eq!(
        c.send("POST", "/ops/extractions", Some(&unit), &other)
            .status,
        403
    );
    let venue_id = id_of(&c.send("POST", "/ops/extractions", Some(&unit), &ask));
    let venue_path = format!("/ops/extractions/{venue_id}");
    assert_eq!(
        c.send("POST", &format!("{venue_path}/approve"), Some(&hcm), "")
            .status,
        403
    );
    assert_eq!(
        c.send("POST", &format!("{venue_path}/approve"), Some(&admin), "")
            .status,
        200
    );
    let csv = body(&c.send("GET", &format!("{venue_path}/csv"), Some(&unit), ""));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("Hà Nội Người") && !csv.contains("Lê Văn Tám"));

    // A refused request never downloads.
    let ask = format!("scope=province:79&{range}&reason=curiosity");
    let refused_id = id_of(&c.send("POST", "/ops/extractions", Some(&hcm), &ask));
    let refused = format!("/ops/extractions/{refused_id}");
    assert_eq!(
        c.send("POST", &format!("{refused}/refuse"), Some(&admin), "")
            .status,
        200
    );
    assert_eq!(
        c.send("GET", &format!("{refused}/csv"), Some(&hcm), "")
            .status,
        409
    );
    assert_eq!(
        c.send("GET", "/ops/extractions/999/csv", Some(&hcm), "")
            .status,
        404
    );

    // After the download window, the approved request is closed.
    let me: Operator = server
        .state()
        .with_db(|db| ops::authenticate(db.store(), &hcm, now).unwrap().unwrap());
    let late = server.state().with_db(|db| {
        extraction::download(
            db,
            server.state().keys().sealing(),
            &me,
            id,
            &mut Vec::new(),
            now + DOWNLOAD_SECONDS + 3600,
        )
    });
    assert!(matches!(late, Err(ExtractionError::Expired)), "{late:?}");

    // Every step is in the audit log, in order, and the chain verifies.
    let log = server
        .state()
        .with_db(|db| db.store().audit_entries().unwrap());
    let steps: Vec<(String, String)> = log
        .iter()
        .map(|e| (e.actor.clone(), e.action.clone()))
        .collect();
    let expected = [
        ("so-yte-79", "extraction.request"),
        ("so-yte-79-truong", "extraction.approve"),
        ("so-yte-79", "extraction.download"),
        ("pho-thin", "extraction.request"),
        ("bo-yte", "extraction.approve"),
        ("pho-thin", "extraction.download"),
        ("so-yte-79", "extraction.request"),
        ("bo-yte", "extraction.refuse"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, s)| (format!("operator:{a}"), (*s).to_owned()))
        .collect();
    assert_eq!(steps, expected);
    assert!(log[0].detail.contains("scope=province:79") && log[0].detail.contains("outbreak"));
    assert!(log.iter().all(|e| !e.detail.contains("Lê Văn Tám")));
    let head = server
        .state()
        .with_db(|db| audit::verify(db.store(), None).unwrap());
    assert_eq!(head.entries, 8);
}
