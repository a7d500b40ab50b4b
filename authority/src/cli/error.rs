//! Why a `khaibao` command failed: one variant per area it calls into, printed after
//! `khaibao: ` with the area's own text.

use crate::demo::DemoError;
use crate::scanbench::ScanError;
use khaibao_authority::audit::AuditError;
use khaibao_authority::db::DbError;
use khaibao_authority::export::{BadTime, ExportError};
use khaibao_authority::exposure_publish::PublishError;
use khaibao_authority::issuance::IssueError;
use khaibao_authority::keys::KeyError;
use khaibao_authority::ops::{AccountError, RoleError};
use khaibao_authority::poster::PosterError;
use khaibao_authority::trust::TrustError;
use std::path::PathBuf;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("keys already exist in that folder")]
    KeysExist,
    #[error(transparent)]
    UnknownCategory(#[from] khaibao_authority::poster::category::UnknownCategory),
    #[error("no database at {}", .0.display())]
    NoDatabase(PathBuf),
    #[error("give --venue-id or --venue-code")]
    NoVenue,
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Trust(#[from] TrustError),
    #[error(transparent)]
    Rotate(#[from] khaibao_authority::rotation::RotateError),
    #[error(transparent)]
    Issue(#[from] IssueError),
    #[error(transparent)]
    Poster(#[from] PosterError),
    #[error(transparent)]
    Core(#[from] khaibao_core::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Time(#[from] BadTime),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Sign(#[from] khaibao_authority::portal::venue::SignError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Role(#[from] RoleError),
    #[error(transparent)]
    Audit(#[from] AuditError),
}
