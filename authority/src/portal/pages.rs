//! The portal's pages and form handlers (routes in docs/portal.md). Each handler reads the
//! [`Ctx`], checks the caller's role against the venue or province it touches (403
//! otherwise), does its work on the database off the async threads and answers a page or a
//! redirect.

use super::venue::{self as pv, Event, FieldError, PortalVenue, VenueForm};
use super::web::{Ctx, LANG_COOKIE, cookie, form};
use crate::exposure_publish::{self, VenueRef, WindowSpec};
use crate::extraction::{self, Extraction, ExtractionError, State as ExtractionState};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use crate::ops::{self, AccountError, Role, Scope};
use crate::poster::{self, category};
use crate::store::AuditRecord;
use crate::units::{Unit, units};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use khaibao_core::exposure::{ExposureEntry, Recommendation};
use std::collections::HashMap;
use std::sync::Arc;

static STYLE: &str = include_str!("../../assets/portal/style.css");

/// The portal's routes, to merge into the server's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/style.css", get(style))
        .route("/portal/lang/{lang}", get(lang))
        .route("/portal/register", get(register_form).post(register))
        .route("/portal/login", get(login_form).post(login))
        .route("/portal/logout", post(logout))
        .route("/portal/venues", get(venues))
        .route("/portal/venues/{id}", get(venue_page))
        .route(
            "/portal/venues/{id}/exposure",
            get(exposure_form).post(exposure),
        )
        .route(
            "/portal/venues/{id}/{file}",
            get(poster_file).post(venue_action),
        )
        .route("/portal/venues/{id}/extraction", post(request_extraction))
        .route(
            "/portal/extractions/{id}/{action}",
            get(extraction_csv).post(decide_extraction),
        )
        .route("/favicon.ico", get(no_icon))
        .route("/portal/province", get(province))
        .route("/portal/province/{code}/self-service", post(self_service))
}

/// The query string's fields.
fn query(uri: &Uri) -> HashMap<String, String> {
    form(uri.query().unwrap_or_default().as_bytes())
}

type Db<'a> = &'a mut crate::db::AuthorityDb;

/// Runs `f` on the database off the async threads.
async fn db<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(Db<'_>) -> T + Send + 'static,
) -> Option<T> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || state.with_db(f))
        .await
        .ok()
}

#[derive(Template)]
#[template(path = "portal/message.html")]
struct Message<'a> {
    c: &'a Ctx,
    title: &'a str,
    text: &'a str,
}

fn message(c: &Ctx, status: StatusCode, title: &str, text: &str) -> Response {
    c.page(status, Message { c, title, text }.render())
}

fn forbidden(c: &Ctx) -> Response {
    message(
        c,
        StatusCode::FORBIDDEN,
        c.s("Không có quyền", "Not allowed"),
        c.s(
            "Tài khoản của bạn không có quyền với địa điểm hoặc tỉnh này.",
            "Your account has no rights over this venue or province.",
        ),
    )
}

fn not_found(c: &Ctx) -> Response {
    message(
        c,
        StatusCode::NOT_FOUND,
        c.s("Không tìm thấy", "Not found"),
        c.s("Không có địa điểm này.", "There is no such venue."),
    )
}

fn unavailable(c: &Ctx) -> Response {
    message(
        c,
        StatusCode::SERVICE_UNAVAILABLE,
        c.s("Tạm thời gián đoạn", "Temporarily unavailable"),
        c.s(
            "Vui lòng thử lại sau ít phút.",
            "Please try again in a few minutes.",
        ),
    )
}

fn bad_csrf(c: &Ctx) -> Response {
    message(
        c,
        StatusCode::FORBIDDEN,
        c.s("Biểu mẫu đã hết hạn", "The form has expired"),
        c.s(
            "Vui lòng tải lại trang và gửi lại.",
            "Please reload the page and send it again.",
        ),
    )
}

fn to_login(c: &Ctx) -> Response {
    c.redirect("/portal/login", &[])
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home<'a> {
    c: &'a Ctx,
}

async fn home(c: Ctx) -> Response {
    c.page(StatusCode::OK, Home { c: &c }.render())
}

async fn style(c: Ctx) -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("max-age=3600"),
    );
    c.finish(r)
}

async fn lang(c: Ctx, Path(lang): Path<String>, uri: Uri) -> Response {
    let q = query(&uri);
    let lang = if lang == "en" { "en" } else { "vi" };
    // Only a path of this site: never an open redirect.
    let back = q
        .get("back")
        .filter(|b| b.starts_with("/portal") && !b.starts_with("//"))
        .map_or("/portal", String::as_str);
    c.redirect(back, &[cookie(LANG_COOKIE, lang, Some(365 * 86_400))])
}

// ---- registration -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/register.html")]
struct Register<'a> {
    c: &'a Ctx,
    form: &'a VenueForm,
    login: &'a str,
    errors: &'a [FieldError],
    provinces: &'a [Unit],
    communes: &'a [Unit],
    categories: &'a [category::Category],
    logged_in: bool,
}

impl Register<'_> {
    fn err(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
}

fn register_page(
    c: &Ctx,
    status: StatusCode,
    form: &VenueForm,
    login: &str,
    errors: &[FieldError],
) -> Response {
    let communes = form
        .province
        .parse::<u32>()
        .map_or(&[][..], |p| units().communes(p));
    c.page(
        status,
        Register {
            c,
            form,
            login,
            errors,
            provinces: units().provinces(),
            communes,
            categories: &category::CATEGORIES,
            logged_in: false,
        }
        .render(),
    )
}

async fn register_form(c: Ctx) -> Response {
    if c.who.is_some() {
        return message(
            &c,
            StatusCode::OK,
            c.s("Đăng ký địa điểm", "Register a venue"),
            c.s(
                "Mỗi tài khoản quản lý một địa điểm. Hãy đăng xuất để đăng ký địa điểm khác với tài khoản mới.",
                "Each account manages one venue. Log out to register another venue with a new account.",
            ),
        );
    }
    let form = VenueForm {
        stay: "60".into(),
        ..VenueForm::default()
    };
    register_page(&c, StatusCode::OK, &form, "", &[])
}

fn venue_form(f: &HashMap<String, String>) -> VenueForm {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    VenueForm {
        name: g("name"),
        address: g("address"),
        province: g("province"),
        commune: g("commune"),
        category: g("category"),
        contact: g("contact"),
        stay: g("stay"),
    }
}

fn account_error(e: &AccountError) -> FieldError {
    let (field, vi, en) = match e {
        AccountError::NameTaken => (
            "login",
            "Tên đăng nhập này đã có người dùng.",
            "That login name is taken.",
        ),
        AccountError::BadName => (
            "login",
            "Tên đăng nhập gồm 3 đến 64 ký tự: chữ thường, số, dấu chấm, gạch dưới, gạch ngang.",
            "Login names are 3 to 64 characters: lowercase letters, digits, '.', '_' and '-'.",
        ),
        AccountError::WeakPassword => (
            "password",
            "Mật khẩu cần ít nhất 12 ký tự.",
            "The password needs at least 12 characters.",
        ),
        _ => (
            "login",
            "Không tạo được tài khoản; vui lòng thử lại.",
            "The account could not be created; please try again.",
        ),
    };
    FieldError {
        field,
        vi: vi.into(),
        en: en.into(),
    }
}

/// Shortest portal password (longer than the operator minimum: owners choose their own).
const MIN_OWNER_PASSWORD: usize = 12;

async fn register(State(state): State<Arc<AppState>>, c: Ctx, body: Bytes) -> Response {
    let f = form(&body);
    if !c.csrf_ok(&f) {
        return bad_csrf(&c);
    }
    if c.who.is_some() {
        return c.redirect("/portal/register", &[]);
    }
    let vf = venue_form(&f);
    let login = f
        .get("login")
        .cloned()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let password = f.get("password").cloned().unwrap_or_default();
    // "Show communes" re-renders the form with the province's communes and no errors.
    if f.get("step").map(String::as_str) == Some("communes") {
        return register_page(&c, StatusCode::OK, &vf, &login, &[]);
    }
    let mut errors = match vf.validate() {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    if password.chars().count() < MIN_OWNER_PASSWORD {
        errors.push(account_error(&AccountError::WeakPassword));
    }
    if login.is_empty() {
        errors.push(account_error(&AccountError::BadName));
    }
    let app = match vf.validate() {
        Ok(app) if errors.is_empty() => app,
        _ => return register_page(&c, StatusCode::UNPROCESSABLE_ENTITY, &vf, &login, &errors),
    };
    let now = crate::unix_now();
    let done = db(
        &state,
        move |db| -> Result<(PortalVenue, ops::Issued), AccountError> {
            let store = db.store_mut();
            let self_service = pv::self_service(store, app.province)?;
            let mut v = PortalVenue::new(&app, &login, self_service, now)
                .map_err(|_| AccountError::BadLogin)?;
            ops::add_unit_with_password(
                store,
                &login,
                std::slice::from_ref(&v.id),
                &password,
                now,
            )?;
            let action = if self_service {
                "registered (approved at once: self-service)"
            } else {
                "registered"
            };
            let name = v.name.clone();
            pv::save_recorded(store, &mut v, now, &login, action, &name)?;
            let session = ops::login(store, &login, &password, now)?;
            Ok((v, session))
        },
    )
    .await;
    match done {
        Some(Ok((v, session))) => c.redirect(
            &format!("/portal/venues/{}?done=registered", v.id),
            &[cookie(
                SESSION_COOKIE,
                &session.token,
                Some(ops::SESSION_SECONDS),
            )],
        ),
        Some(Err(AccountError::Db(_))) | None => unavailable(&c),
        Some(Err(e)) => {
            let errors = [account_error(&e)];
            let login = f.get("login").cloned().unwrap_or_default();
            register_page(&c, StatusCode::UNPROCESSABLE_ENTITY, &vf, &login, &errors)
        }
    }
}

// ---- login --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/login.html")]
struct Login<'a> {
    c: &'a Ctx,
    name: &'a str,
    failed: bool,
}

async fn login_form(c: Ctx) -> Response {
    c.page(
        StatusCode::OK,
        Login {
            c: &c,
            name: "",
            failed: false,
        }
        .render(),
    )
}

async fn login(State(state): State<Arc<AppState>>, c: Ctx, body: Bytes) -> Response {
    let f = form(&body);
    if !c.csrf_ok(&f) {
        return bad_csrf(&c);
    }
    let name = f
        .get("login")
        .cloned()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let password = f.get("password").cloned().unwrap_or_default();
    let now = crate::unix_now();
    let who = name.clone();
    let done = db(&state, move |db| {
        ops::login(db.store_mut(), &who, &password, now)
    })
    .await;
    match done {
        Some(Ok(session)) => {
            let to = if matches!(session.operator.role, Role::Unit(_)) {
                "/portal/venues"
            } else {
                "/portal/province"
            };
            c.redirect(
                to,
                &[cookie(
                    SESSION_COOKIE,
                    &session.token,
                    Some(ops::SESSION_SECONDS),
                )],
            )
        }
        Some(Err(AccountError::BadLogin)) => c.page(
            StatusCode::UNAUTHORIZED,
            Login {
                c: &c,
                name: &name,
                failed: true,
            }
            .render(),
        ),
        _ => unavailable(&c),
    }
}

async fn logout(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    if !c.csrf_ok(&form(&body)) {
        return bad_csrf(&c);
    }
    if let Some(token) = super::web::cookies(&headers).remove(SESSION_COOKIE) {
        let _ = db(&state, move |db| ops::logout(db.store_mut(), &token)).await;
    }
    c.redirect("/portal", &[cookie(SESSION_COOKIE, "", Some(0))])
}

// ---- venues -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/venues.html")]
struct Venues<'a> {
    c: &'a Ctx,
    list: &'a [PortalVenue],
    can_register: bool,
}

#[allow(clippy::unused_self, clippy::trivially_copy_pass_by_ref)] // askama passes references to methods
impl Venues<'_> {
    fn province_name(&self, p: &u32) -> String {
        units()
            .display_province(*p)
            .unwrap_or_else(|| p.to_string())
    }
}

/// The venues `role` may see.
fn visible(
    store: &dyn crate::store::Store,
    role: &Role,
) -> Result<Vec<PortalVenue>, crate::store::DbError> {
    Ok(match role {
        Role::Admin => pv::list(store, None)?,
        Role::Province(codes) => {
            let mut all = Vec::new();
            for p in codes {
                all.extend(pv::list(store, Some(*p))?);
            }
            all
        }
        Role::Unit(ids) => ids
            .iter()
            .filter_map(|id| pv::load(store, id).transpose())
            .collect::<Result<_, _>>()?,
    })
}

async fn venues(State(state): State<Arc<AppState>>, c: Ctx) -> Response {
    let Some(me) = c.who.clone() else {
        return to_login(&c);
    };
    let role = me.role.clone();
    match db(&state, move |db| visible(db.store(), &role)).await {
        Some(Ok(list)) => c.page(
            StatusCode::OK,
            Venues {
                c: &c,
                list: &list,
                can_register: false,
            }
            .render(),
        ),
        _ => unavailable(&c),
    }
}

/// What the caller may do with a venue: (owner, department).
fn rights(role: &Role, v: &PortalVenue) -> (bool, bool) {
    let owner = matches!(role, Role::Unit(_)) && role.covers(&Scope::Venue(v.id.clone()));
    let department = role.may_approve(&Scope::Province(v.province));
    (owner, department)
}

/// The venue `id` and what the caller may do with it, or the answer to give instead.
async fn venue_for(
    state: &Arc<AppState>,
    c: &Ctx,
    id: &str,
) -> Result<(PortalVenue, bool, bool), Response> {
    let Some(me) = c.who.clone() else {
        return Err(to_login(c));
    };
    let id = id.to_ascii_lowercase();
    match db(state, move |db| pv::load(db.store(), &id)).await {
        Some(Ok(Some(v))) => {
            let (owner, department) = rights(&me.role, &v);
            if owner || department {
                Ok((v, owner, department))
            } else {
                Err(forbidden(c))
            }
        }
        Some(Ok(None)) => Err(not_found(c)),
        _ => Err(unavailable(c)),
    }
}

#[derive(Template)]
#[template(path = "portal/venue.html")]
struct VenuePage<'a> {
    c: &'a Ctx,
    v: &'a PortalVenue,
    province: String,
    commune: String,
    category: &'a str,
    owner: bool,
    department: bool,
    notice: Option<&'a str>,
    extractions: Vec<Extraction>,
}

#[allow(clippy::unused_self, clippy::trivially_copy_pass_by_ref)] // askama passes references to methods
impl VenuePage<'_> {
    fn time(&self, t: &i64) -> String {
        super::web::time(t)
    }
    fn state(&self, e: &Extraction) -> &'static str {
        extraction_state(self.c, e)
    }
}

/// An extraction's state in the page's language.
fn extraction_state(c: &Ctx, e: &Extraction) -> &'static str {
    match e.state {
        ExtractionState::Pending => c.s("Chờ duyệt", "Awaiting approval"),
        ExtractionState::Approved => c.s("Đã duyệt", "Approved"),
        ExtractionState::Refused => c.s("Bị từ chối", "Refused"),
    }
}

async fn venue_page(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let (v, owner, department) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = query(&uri);
    let notice = match q.get("done").map(String::as_str) {
        Some("registered") => Some(c.s(
            "Đã nhận đăng ký địa điểm.",
            "Your venue registration was received.",
        )),
        Some("approved") => Some(c.s("Đã duyệt địa điểm.", "The venue was approved.")),
        Some("reissue") => Some(c.s(
            "Mã mới sẽ được ký trong lượt ký tiếp theo.",
            "A new code will be signed in the next signing run.",
        )),
        Some("retired") => Some(c.s("Đã ngừng địa điểm.", "The venue was retired.")),
        Some("published") => Some(c.s(
            "Đã công bố khung giờ phơi nhiễm.",
            "The exposure window was published.",
        )),
        Some("requested") => Some(c.s(
            "Đã gửi yêu cầu khai thác dữ liệu; Sở Y tế sẽ duyệt.",
            "The data request was sent; the health department will review it.",
        )),
        Some("bad-request") => Some(c.s(
            "Yêu cầu không hợp lệ: khoảng ngày từ 1 đến 31 ngày và cần nêu lý do.",
            "The request is not valid: a range of 1 to 31 days and a reason are needed.",
        )),
        _ => None,
    };
    let cat = category::parse(&v.category).ok();
    let me = c.who.clone();
    let scope = Scope::Venue(v.id.clone());
    let extractions = match me {
        Some(me) => db(&state, move |db| extraction::visible_to(db, &me))
            .await
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.scope == scope)
            .collect(),
        None => Vec::new(),
    };
    let page = VenuePage {
        c: &c,
        v: &v,
        province: units()
            .display_province(v.province)
            .unwrap_or_else(|| v.province.to_string()),
        commune: units()
            .commune_in(v.province, v.commune)
            .map_or_else(|| v.commune.to_string(), |u| u.name.clone()),
        category: cat.map_or(v.category.as_str(), |k| c.s(k.label_vi, k.label_en)),
        owner,
        department,
        notice,
        extractions,
    };
    c.page(StatusCode::OK, page.render())
}

async fn venue_action(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if !c.csrf_ok(&form(&body)) {
        return bad_csrf(&c);
    }
    let (mut v, owner, department) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let allowed = match action.as_str() {
        "approve" => department && v.status == "pending",
        "reissue" => owner && v.status == "active",
        "retire" => owner && v.status != "retired",
        _ => return not_found(&c),
    };
    if !allowed {
        return forbidden(&c);
    }
    v.status = match action.as_str() {
        "retire" => "retired",
        _ => "approved",
    }
    .into();
    let actor = c.who.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let now = crate::unix_now();
    let done_action = action.clone();
    let saved = db(&state, move |db| {
        let store = db.store_mut();
        let name = v.name.clone();
        pv::save_recorded(store, &mut v, now, &actor, &done_action, &name)?;
        Ok::<_, crate::store::DbError>(v.id)
    })
    .await;
    match saved {
        Some(Ok(id)) => {
            let done = if action == "retire" {
                "retired"
            } else {
                &action
            };
            let done = if done == "approve" { "approved" } else { done };
            c.redirect(&format!("/portal/venues/{id}?done={done}"), &[])
        }
        _ => unavailable(&c),
    }
}

async fn poster_file(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path((id, file)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let (v, _, _) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (Some(code), "active") = (v.code.as_deref(), v.status.as_str()) else {
        return not_found(&c);
    };
    // The server verifies what it hands out: the stored code against its public venue key.
    let trusted = [state.keys().public().venue_key];
    let Ok(venue) = khaibao_core::venue::verify(code, &trusted, crate::unix_now()) else {
        return not_found(&c);
    };
    let manual = v.manual_code.clone().unwrap_or_default().replace(' ', "");
    let rendered: Result<(&str, Vec<u8>), poster::PosterError> = match file.as_str() {
        "poster.pdf" => {
            let paper = query(&uri)
                .get("paper")
                .and_then(|p| poster::pdf::Paper::from_name(p))
                .unwrap_or(poster::pdf::Paper::A4);
            poster::pdf::render(&venue, code, paper).map(|b| ("application/pdf", b))
        }
        "poster.svg" => poster::svg(&venue, code).map(|s| ("image/svg+xml", s.into_bytes())),
        "poster.png" => poster::png::render_gray(&venue, code, 150).and_then(|img| {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png)?;
            Ok(("image/png", out.into_inner()))
        }),
        _ => return not_found(&c),
    };
    match rendered {
        Ok((mime, bytes)) => {
            let ext = file.rsplit('.').next().unwrap_or("bin");
            let r = (
                [
                    (header::CONTENT_TYPE, mime.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"khaibao-{manual}.{ext}\""),
                    ),
                ],
                bytes,
            )
                .into_response();
            c.finish(r)
        }
        Err(_) => unavailable(&c),
    }
}

// ---- exposure windows ---------------------------------------------------------------------

/// The recommendations a department may publish, with what the phone shows for each.
const RECOMMENDATIONS: [(&str, &str, &str); 3] = [
    (
        "monitor_symptoms",
        "Theo dõi sức khoẻ: bạn đã ở cùng địa điểm với một ca bệnh. Hãy theo dõi triệu chứng trong 14 ngày.",
        "Monitor your health: you were at the same venue as a case. Watch for symptoms for 14 days.",
    ),
    (
        "get_tested",
        "Đi xét nghiệm: bạn đã ở cùng địa điểm với một ca bệnh. Hãy liên hệ trạm y tế để xét nghiệm.",
        "Get tested: you were at the same venue as a case. Contact your health station for a test.",
    ),
    (
        "isolate",
        "Cách ly: bạn đã ở cùng địa điểm với một ca bệnh. Hãy ở nhà và gọi đường dây nóng của Sở Y tế.",
        "Isolate: you were at the same venue as a case. Stay at home and call the health department's hotline.",
    ),
];

struct Preview {
    version: u64,
    venue_id: String,
    start: i64,
    end: i64,
    recommendation: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "portal/exposure.html")]
struct ExposurePage<'a> {
    c: &'a Ctx,
    v: &'a PortalVenue,
    from: &'a str,
    until: &'a str,
    recommendation: &'a str,
    recommendations: &'a [(&'static str, &'static str, &'static str)],
    preview: Option<Preview>,
    error: Option<&'a str>,
}

#[allow(clippy::unused_self, clippy::trivially_copy_pass_by_ref)] // askama passes references to methods
impl ExposurePage<'_> {
    fn time(&self, t: &i64) -> String {
        super::web::time(t)
    }
}

async fn exposure_form(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path(id): Path<String>,
) -> Response {
    let (v, _, department) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !department {
        return forbidden(&c);
    }
    let page = ExposurePage {
        c: &c,
        v: &v,
        from: "",
        until: "",
        recommendation: "get_tested",
        recommendations: &RECOMMENDATIONS,
        preview: None,
        error: None,
    };
    c.page(StatusCode::OK, page.render())
}

async fn exposure(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if !c.csrf_ok(&fields) {
        return bad_csrf(&c);
    }
    let (v, _, department) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !department {
        return forbidden(&c);
    }
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let (from, until, rec) = (field("from"), field("until"), field("recommendation"));
    let spec = WindowSpec {
        venue: VenueRef::Id(&v.id),
        from: &from,
        until: &until,
        recommendation: &rec,
    };
    let render = |preview: Option<Preview>, error: Option<&str>, status| {
        let page = ExposurePage {
            c: &c,
            v: &v,
            from: &from,
            until: &until,
            recommendation: &rec,
            recommendations: &RECOMMENDATIONS,
            preview,
            error,
        };
        c.page(status, page.render())
    };
    let entry: ExposureEntry = match exposure_publish::entry(&spec, &[]) {
        Ok(e) => e,
        Err(_) => {
            return render(
                None,
                Some(c.s(
                    "Hãy nhập thời điểm bắt đầu và kết thúc (kết thúc không trước bắt đầu).",
                    "Enter a start and an end (the end not before the start).",
                )),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let publish = fields.get("step").map(String::as_str) == Some("publish");
    let now = crate::unix_now();
    let actor = c.who.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let (province, venue_id) = (v.province, v.id.clone());
    let stored = entry.clone();
    let version = db(&state, move |db| {
        let store = db.store_mut();
        if !publish {
            return Ok(store.latest_exposure_version()? + 1);
        }
        let version = store.publish_exposures(std::slice::from_ref(&stored), now)?;
        pv::record_event(
            store,
            province,
            &Event {
                at: now,
                actor,
                action: "exposure published".into(),
                venue: venue_id,
                detail: format!(
                    "version {version}: {} – {}, {}",
                    super::web::time(&stored.start),
                    super::web::time(&stored.end),
                    stored.recommendation.name()
                ),
            },
        )?;
        Ok::<_, crate::store::DbError>(version)
    })
    .await;
    let Some(Ok(version)) = version else {
        return unavailable(&c);
    };
    if publish {
        return c.redirect(&format!("/portal/venues/{}?done=published", v.id), &[]);
    }
    let (name, vi, en) = RECOMMENDATIONS
        .iter()
        .copied()
        .find(|r| Recommendation::from_name(r.0) == Some(entry.recommendation))
        .unwrap_or(RECOMMENDATIONS[1]);
    let preview = Preview {
        version,
        venue_id: entry.venue_id.clone(),
        start: entry.start,
        end: entry.end,
        recommendation: name,
        text: c.s(vi, en).to_owned(),
    };
    render(Some(preview), None, StatusCode::OK)
}

// ---- the department's page ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/province.html")]
struct ProvincePage<'a> {
    c: &'a Ctx,
    names: String,
    pending: Vec<&'a PortalVenue>,
    venues: &'a [PortalVenue],
    /// (code, name, self-service)
    settings: Vec<(u32, String, bool)>,
    history: &'a [AuditRecord],
    /// Extraction requests this department may decide, with the venue's name.
    requests: Vec<(Extraction, String)>,
}

#[allow(clippy::unused_self, clippy::trivially_copy_pass_by_ref)] // askama passes references to methods
impl ProvincePage<'_> {
    fn time(&self, t: &i64) -> String {
        super::web::time(t)
    }
    fn day(&self, t: &i64) -> String {
        super::web::time(t)[..10].to_owned()
    }
    /// The last day a range ending (exclusive) at `t` covers.
    fn last_day(&self, t: &i64) -> String {
        self.day(&(t - 1))
    }
    fn state(&self, e: &Extraction) -> &'static str {
        extraction_state(self.c, e)
    }
}

/// The provinces a department operator answers for (the ministry: every current one).
fn provinces_of(role: &Role) -> Vec<u32> {
    match role {
        Role::Admin => units().provinces().iter().map(|p| p.code).collect(),
        Role::Province(codes) => codes.clone(),
        Role::Unit(_) => Vec::new(),
    }
}

async fn province(State(state): State<Arc<AppState>>, c: Ctx) -> Response {
    let Some(me) = c.who.clone() else {
        return to_login(&c);
    };
    if matches!(me.role, Role::Unit(_)) {
        return forbidden(&c);
    }
    let codes = provinces_of(&me.role);
    let role = me.role.clone();
    let who = me.clone();
    let loaded = db(&state, move |db| {
        let store = db.store();
        let venues = visible(store, &role).ok()?;
        let mut settings = Vec::new();
        let mut history = Vec::new();
        for p in &codes {
            settings.push((*p, pv::self_service(store, *p).ok()?));
            history.extend(pv::events(store, *p).ok()?);
        }
        history.sort_by_key(|e| std::cmp::Reverse(e.seq));
        history.dedup_by_key(|e| e.seq);
        history.truncate(200);
        let requests = extraction::visible_to(db, &who)
            .ok()?
            .into_iter()
            .filter(|e| {
                e.requester_id != who.id
                    && extraction::may_decide(db, &who, &e.scope).unwrap_or(false)
            })
            .map(|e| {
                let name = match &e.scope {
                    Scope::Venue(v) => pv::load(db.store(), v)
                        .ok()
                        .flatten()
                        .map_or_else(|| v.clone(), |x| x.name),
                    Scope::Province(p) => units()
                        .display_province(*p)
                        .unwrap_or_else(|| p.to_string()),
                };
                (e, name)
            })
            .collect::<Vec<_>>();
        Some((venues, settings, history, requests))
    })
    .await;
    let Some(Some((venues, settings, history, requests))) = loaded else {
        return unavailable(&c);
    };
    let name = |p: u32| units().display_province(p).unwrap_or_else(|| p.to_string());
    let names = if matches!(me.role, Role::Admin) {
        c.s("cả nước", "the whole country").to_owned()
    } else {
        settings
            .iter()
            .map(|(p, _)| name(*p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page = ProvincePage {
        c: &c,
        names,
        pending: venues.iter().filter(|v| v.status == "pending").collect(),
        venues: &venues,
        settings: settings.iter().map(|(p, on)| (*p, name(*p), *on)).collect(),
        history: &history,
        requests,
    };
    c.page(StatusCode::OK, page.render())
}

async fn self_service(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path(code): Path<u32>,
    body: Bytes,
) -> Response {
    let f = form(&body);
    if !c.csrf_ok(&f) {
        return bad_csrf(&c);
    }
    let Some(me) = c.who.clone() else {
        return to_login(&c);
    };
    if !me.role.may_approve(&Scope::Province(code)) {
        return forbidden(&c);
    }
    let on = f.get("on").map(String::as_str) == Some("1");
    let now = crate::unix_now();
    let done = db(&state, move |db| {
        let store = db.store_mut();
        pv::set_self_service(store, code, on, now)?;
        pv::record_event(
            store,
            code,
            &Event {
                at: now,
                actor: me.name.clone(),
                action: if on {
                    "self-service on"
                } else {
                    "self-service off"
                }
                .into(),
                venue: String::new(),
                detail: String::new(),
            },
        )
    })
    .await;
    match done {
        Some(Ok(())) => c.redirect("/portal/province", &[]),
        _ => unavailable(&c),
    }
}

// ---- extraction (the workflow of crate::extraction) ---------------------------------------

async fn no_icon() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// A date field (`YYYY-MM-DD`, Vietnam time) as Unix seconds at the start of that day.
fn day(text: &str) -> Option<i64> {
    let t = text.trim();
    (t.len() == 10)
        .then(|| crate::export::parse_time(t).ok())
        .flatten()
}

async fn request_extraction(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if !c.csrf_ok(&fields) {
        return bad_csrf(&c);
    }
    let (v, owner, _) = match venue_for(&state, &c, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(me) = c.who.clone().filter(|_| owner) else {
        return forbidden(&c);
    };
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    // The last day is included: the range ends at the start of the day after it.
    let range = day(&field("since")).zip(day(&field("until")).map(|u| u + 86_400));
    let reason = field("reason");
    let Some(range) = range else {
        return c.redirect(&format!("/portal/venues/{}?done=bad-request", v.id), &[]);
    };
    let scope = Scope::Venue(v.id.clone());
    let now = crate::unix_now();
    let done = db(&state, move |db| {
        extraction::request(db, &me, &scope, range, &reason, now)
    })
    .await;
    match done {
        Some(Ok(_)) => c.redirect(&format!("/portal/venues/{}?done=requested", v.id), &[]),
        Some(Err(ExtractionError::BadRange | ExtractionError::BadReason)) => {
            c.redirect(&format!("/portal/venues/{}?done=bad-request", v.id), &[])
        }
        Some(Err(ExtractionError::Forbidden)) => forbidden(&c),
        _ => unavailable(&c),
    }
}

async fn decide_extraction(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    if !c.csrf_ok(&form(&body)) {
        return bad_csrf(&c);
    }
    let Some(me) = c.who.clone() else {
        return to_login(&c);
    };
    let approve = match action.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return not_found(&c),
    };
    let now = crate::unix_now();
    match db(&state, move |db| {
        extraction::decide(db, &me, id, approve, now)
    })
    .await
    {
        // Decided now, or by another approver first: either way back to the list.
        Some(Ok(_) | Err(ExtractionError::NotPending)) => {
            c.redirect("/portal/province#extractions", &[])
        }
        Some(Err(ExtractionError::Forbidden)) => forbidden(&c),
        Some(Err(ExtractionError::NotFound)) => not_found(&c),
        _ => unavailable(&c),
    }
}

async fn extraction_csv(
    State(state): State<Arc<AppState>>,
    c: Ctx,
    Path((id, file)): Path<(i64, String)>,
) -> Response {
    if file != "data.csv" {
        return not_found(&c);
    }
    let Some(me) = c.who.clone() else {
        return to_login(&c);
    };
    let now = crate::unix_now();
    let worker = state.clone();
    let done = db(&state, move |db| {
        let mut out = Vec::new();
        extraction::download(db, worker.keys().sealing(), &me, id, &mut out, now).map(|_| out)
    })
    .await;
    match done {
        Some(Ok(csv)) => c.finish(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"khaibao-extraction-{id}.csv\""),
                    ),
                ],
                csv,
            )
                .into_response(),
        ),
        Some(Err(ExtractionError::Forbidden)) => forbidden(&c),
        Some(Err(ExtractionError::NotFound)) => not_found(&c),
        Some(Err(ExtractionError::NotApproved | ExtractionError::Expired)) => message(
            &c,
            StatusCode::GONE,
            c.s("Không tải được", "Cannot download"),
            c.s(
                "Yêu cầu này chưa được duyệt hoặc đã hết hạn tải (24 giờ sau khi duyệt).",
                "This request is not approved or its download window (24 hours after approval) has closed.",
            ),
        ),
        _ => unavailable(&c),
    }
}
