//! The web portal over HTTP, as a browser without JavaScript uses it: an owner registers a
//! venue (errors first), the province's department approves it, another province gets 403,
//! the signing run signs it, the owner downloads the poster, requests the venue's data, the
//! department approves and the owner downloads a CSV holding exactly the declarations made
//! at that venue. Forms without the CSRF token are refused, and every page carries the
//! strict Content-Security-Policy and secure cookies. (`tests/portal/test_portal.py` walks
//! the same flow in chromium.)

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::ops::{self, Role};
use khaibao_authority::portal::{venue, web};
use khaibao_core::seal::DeviceKey;
use khaibao_tests::declarations::sealed;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

/// One answer: status, headers (lower-case names, repeated ones joined by "\n"), body.
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// `application/x-www-form-urlencoded` text of one name or value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                char::from(b).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser without JavaScript: HTTP/1.0 requests, its own cookie jar, no redirects.
struct Browser {
    addr: String,
    jar: HashMap<String, String>,
}

impl Browser {
    fn new(server: &RunningServer) -> Self {
        Self {
            addr: server.base_url().trim_start_matches("http://").to_owned(),
            jar: HashMap::new(),
        }
    }

    fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Answer {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nCookie: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            cookies.join("; "),
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let mut headers: HashMap<String, String> = HashMap::new();
        for line in lines {
            let (k, v) = line.split_once(':').unwrap();
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
            if k == "set-cookie" {
                let attrs = v.to_ascii_lowercase();
                for flag in ["httponly", "secure", "samesite=strict", "path=/"] {
                    assert!(attrs.contains(flag), "cookie without {flag}");
                }
                let (name, value) = v.split(';').next().unwrap().split_once('=').unwrap();
                if attrs.contains("max-age=0") {
                    self.jar.remove(name);
                } else {
                    self.jar.insert(name.into(), value.into());
                }
            }
            headers
                .entry(k)
                .and_modify(|e| {
                    e.push('\n');
                    e.push_str(&v);
                })
                .or_insert(v);
        }
        let a = Answer {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        };
        if a.header("content-type").starts_with("text/html") {
            assert_eq!(a.header("content-security-policy"), web::CSP, "{path}");
            assert!(!a.text().contains("<script"), "{path}");
            assert_eq!(a.header("x-frame-options"), "DENY");
        }
        a
    }

    fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, &[])
    }

    /// Sends a form with the CSRF token of the browser's cookie.
    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let csrf = self.jar.get(web::CSRF_COOKIE).cloned().unwrap_or_default();
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        self.send("POST", path, &fields)
    }

    fn login(&mut self, name: &str, password: &str) {
        self.get("/portal/login");
        let a = self.post("/portal/login", &[("login", name), ("password", password)]);
        assert_eq!(a.status, 303, "{}", a.text());
    }
}

const OWNER_PASSWORD: &str = "correct horse battery";
const DEPARTMENT_PASSWORD: &str = "department password";

fn department(db: &Path, name: &str, province: u32) {
    let mut db = AuthorityDb::open(db).unwrap();
    let role = Role::province(&[province]).unwrap();
    let now = khaibao_authority::unix_now();
    ops::add_with_password(db.store_mut(), name, &role, DEPARTMENT_PASSWORD, now).unwrap();
}

/// Today and yesterday as `YYYY-MM-DD` in Vietnam.
fn days(now: i64) -> (String, String) {
    let day = |t: i64| web::time(&t)[..10].to_owned();
    (day(now - 86_400), day(now))
}

#[test]
fn an_owner_and_a_department_go_from_registration_to_the_extracted_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("authority.db");
    let keys_dir = dir.path().join("keys");
    AuthorityKeys::generate().unwrap().save(&keys_dir).unwrap();
    department(&db, "so-yte-01", 1);
    department(&db, "so-yte-79", 79);
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &db,
        AuthorityKeys::load(&keys_dir).unwrap(),
    )
    .unwrap();

    // The owner: every field wrong, then right.
    let mut owner = Browser::new(&server);
    let form = owner.get("/portal/register");
    assert_eq!(form.status, 200);
    let csrf = owner.jar.get(web::CSRF_COOKIE).cloned().unwrap();
    assert!(
        form.text()
            .contains(&format!("name=\"csrf\" value=\"{csrf}\""))
    );
    let bad = owner.post(
        "/portal/register",
        &[("contact", "12345"), ("stay", "0"), ("step", "register")],
    );
    assert_eq!(bad.status, 422);
    for field in [
        "name", "address", "province", "commune", "category", "contact", "stay",
    ] {
        assert!(
            bad.text().contains(&format!("id=\"{field}-error\"")),
            "{field}"
        );
    }
    let fields = [
        ("name", "Quán cà phê Hồ Gươm"),
        ("address", "5 Đinh Tiên Hoàng"),
        ("province", "1"),
        ("commune", "70"),
        ("category", "cafe"),
        ("contact", "0912 345 678"),
        ("stay", "45"),
        ("login", "owner.hoguom"),
        ("password", OWNER_PASSWORD),
        ("step", "register"),
    ];
    // Without the token, with another one, or without the cookie: refused, nothing stored.
    let mut no_cookie = Browser::new(&server);
    let forged = [&[("csrf", csrf.as_str())][..], &fields[..]].concat();
    assert_eq!(
        no_cookie.send("POST", "/portal/register", &forged).status,
        403
    );
    assert_eq!(owner.send("POST", "/portal/register", &fields).status, 403);
    let other_token = "0".repeat(32);
    let wrong = [&[("csrf", other_token.as_str())][..], &fields[..]].concat();
    assert_eq!(owner.send("POST", "/portal/register", &wrong).status, 403);
    {
        let d = AuthorityDb::open(&db).unwrap();
        assert!(venue::list(d.store(), None).unwrap().is_empty());
    }
    let done = owner.post("/portal/register", &fields);
    assert_eq!(done.status, 303, "{}", done.text());
    let page = done
        .header("location")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let id = page.trim_start_matches("/portal/venues/").to_owned();
    assert!(owner.jar.contains_key("kb_session"));
    assert!(owner.get(&page).text().contains("Chờ duyệt"));
    // An owner cannot approve its own venue.
    assert_eq!(owner.post(&format!("{page}/approve"), &[]).status, 403);

    // Hồ Chí Minh City's department: 403 on a Hà Nội venue, for every route.
    let mut hcm = Browser::new(&server);
    hcm.login("so-yte-79", DEPARTMENT_PASSWORD);
    assert_eq!(hcm.get(&page).status, 403);
    assert_eq!(hcm.get(&format!("{page}/exposure")).status, 403);
    assert_eq!(hcm.post(&format!("{page}/approve"), &[]).status, 403);
    assert!(!hcm.get("/portal/province").text().contains("Hồ Gươm"));

    // Hà Nội's department approves it from its queue.
    let mut hanoi = Browser::new(&server);
    hanoi.login("so-yte-01", DEPARTMENT_PASSWORD);
    let queue = hanoi.get("/portal/province").text();
    assert!(queue.contains(&format!("id=\"approve-{id}\"")), "{queue}");
    assert_eq!(hanoi.post(&format!("{page}/approve"), &[]).status, 303);
    assert!(
        !hanoi
            .get("/portal/province")
            .text()
            .contains(&format!("id=\"approve-{id}\""))
    );
    // No poster before the signing run.
    assert_eq!(owner.get(&format!("{page}/poster.pdf")).status, 404);

    // The signing run, then the poster.
    let now = khaibao_authority::unix_now();
    {
        let mut d = AuthorityDb::open(&db).unwrap();
        let keys = AuthorityKeys::load(&keys_dir).unwrap();
        let run = venue::sign_approved(d.store_mut(), &keys, &keys_dir, now).unwrap();
        assert_eq!(run.signed.len(), 1);
        assert_eq!(run.signed[0].0, id);
    }
    let pdf = owner.get(&format!("{page}/poster.pdf"));
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert_eq!(hcm.get(&format!("{page}/poster.pdf")).status, 403);

    // Declarations: two at this venue, one elsewhere.
    let keys = AuthorityKeys::load(&keys_dir).unwrap();
    let public = keys.public().sealing_public;
    let device = DeviceKey::generate().unwrap();
    let items = vec![
        sealed(&device, &public, "Nguyễn Thị Hoa", 1, Some(&id), now - 3600),
        sealed(&device, &public, "Trần Văn Bình", 1, Some(&id), now - 1800),
        sealed(
            &device,
            &public,
            "Lê Văn Tám",
            1,
            Some(&"ab".repeat(16)),
            now - 1800,
        ),
    ];
    AuthorityDb::open(&db)
        .unwrap()
        .ingest(keys.sealing(), &items, now)
        .unwrap();

    // The owner requests the venue's data; the department approves; the owner downloads.
    let (since, until) = days(now);
    let asked = owner.post(
        &format!("{page}/extraction"),
        &[
            ("since", &since),
            ("until", &until),
            ("reason", "Ca bệnh đã đến quán"),
        ],
    );
    assert_eq!(asked.status, 303);
    assert!(asked.header("location").ends_with("done=requested"));
    let province = hanoi.get("/portal/province").text();
    let extraction = province
        .split("id=\"approve-extraction-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        owner
            .get(&format!("/portal/extractions/{extraction}/data.csv"))
            .status,
        410
    );
    assert_eq!(
        hcm.post(&format!("/portal/extractions/{extraction}/approve"), &[])
            .status,
        403
    );
    assert_eq!(
        hanoi
            .post(&format!("/portal/extractions/{extraction}/approve"), &[])
            .status,
        303
    );
    assert!(
        owner
            .get(&page)
            .text()
            .contains(&format!("id=\"download-{extraction}\""))
    );
    let csv = owner.get(&format!("/portal/extractions/{extraction}/data.csv"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let csv = csv.text();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with(khaibao_authority::export::HEADER));
    assert!(csv.contains("Nguyễn Thị Hoa") && csv.contains("Trần Văn Bình"));
    assert!(!csv.contains("Lê Văn Tám"));
    // Only the requester downloads.
    assert_eq!(
        hanoi
            .get(&format!("/portal/extractions/{extraction}/data.csv"))
            .status,
        403
    );

    // The province's audit trail holds every step.
    let trail = hanoi.get("/portal/province").text();
    for action in [
        "portal.registered",
        "portal.approve",
        "portal.signed",
        "extraction.request",
        "extraction.approve",
        "extraction.download",
    ] {
        assert!(trail.contains(action), "{action}");
    }
    assert!(!trail.contains("Nguyễn Thị Hoa"));

    // Logging out ends the session.
    assert_eq!(owner.post("/portal/logout", &[]).status, 303);
    assert!(!owner.jar.contains_key("kb_session"));
    assert_eq!(owner.get(&page).status, 303);
}
