//! The web portal inside `khaibao serve`: the pages where venue owners register a venue and
//! download its QR poster, and where provincial health departments approve venues, publish
//! exposure windows and read their province's history (docs/portal.md lists every route).
//!
//! Server-rendered HTML from askama templates (`authority/templates/portal/`), one small
//! stylesheet, no JavaScript: every form is a plain POST. Each page is sent with a strict
//! Content-Security-Policy (nothing but the page's own stylesheet), every form carries a
//! CSRF token that must match the browser's `kb_csrf` cookie, and cookies are `HttpOnly`,
//! `Secure` and `SameSite=Strict`. Vietnamese by default, English by a link on every page.
//!
//! Accounts, logins and roles are the operators of [`crate::ops`]: an owner's sign-up
//! creates a unit operator over the new venue; departments are province operators. The
//! portal never signs a venue code: approved venues wait for the ministry's signing run
//! ([`venue::sign_approved`], `khaibao venue sign-approved`), a separate command run
//! where the offline venue key is; `serve` holds only the online keys.
//!
//! * [`venue`]: the venue application, its validation and status, the signing run.
//! * [`web`]: what every page shares: language, CSRF, cookies, security headers.
//! * [`pages`]: the handlers.
//! * [`demo`]: the demo accounts of `khaibao serve --demo-data`.
//!
//! Imports: `crate::ops`, `crate::store`, `crate::units`, `crate::poster`,
//! `crate::exposure_publish`, `crate::http` (state and the token cookie), askama and axum.

pub mod demo;
pub mod pages;
pub mod venue;
pub mod web;

pub use pages::routes;
