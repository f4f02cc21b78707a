//! The admin API for the platform's backend: `/admin/v1/…`, the same operations as the
//! command line. Mounted only when the proxy has an admin key (`--admin-key-file`); every
//! call sends it as `Authorization: Bearer <admin key>`. A register token is refused (403),
//! a missing or wrong key too (401). The routes carry no CORS headers at all: a browser
//! page can never call them.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use pingpong_protocol::ErrorCode;
use pingpong_protocol::admin::{
    IssuedRegister, MerchantPatch, MerchantView, NewMerchant, NewRegister, NewStore, RegisterView,
    StoreView, paths,
};
use pingpong_protocol::contract::ApiError;
use pingpong_protocol::openapi::Id;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Admin;
use crate::app::App;
use crate::auth::bearer;
use crate::body::JsonBody;
use crate::error::{ApiFailure, ApiResult, fail};
use crate::openapi::{
    AdminForbidden, AdminUnauthorized, AnyError, BadRequest, Internal, MediaType, TooLarge,
};
use crate::vault::parse_token;

/// The prefix of every admin route.
pub(crate) const PREFIX: &str = "/admin/v1/";

/// The admin key as the proxy keeps it: its SHA-256 digest.
pub(crate) struct AdminKey([u8; 32]);

impl AdminKey {
    pub(crate) fn new(key: &str) -> AdminKey {
        AdminKey(Sha256::digest(key.as_bytes()).into())
    }

    fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.0.ct_eq(&presented).into()
    }
}

/// A call that presented the admin key.
pub(crate) struct Administrator;

impl FromRequestParts<Arc<App>> for Administrator {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiFailure> {
        let key = app
            .admin_key
            .as_ref()
            .ok_or_else(|| fail(ErrorCode::NotFound, "no such route"))?;
        let presented = bearer(&parts.headers).ok_or_else(|| {
            fail(
                ErrorCode::Unauthorized,
                "send the admin key as Authorization: Bearer <admin key>",
            )
        })?;
        if key.matches(presented) {
            return Ok(Administrator);
        }
        if parse_token(presented).is_some() || app.registers.is_token(presented) {
            tracing::warn!("refused a register token on the admin API");
            return Err(fail(
                ErrorCode::Forbidden,
                "a register token cannot call the admin API; use the admin key",
            ));
        }
        tracing::warn!("refused a wrong admin key");
        Err(fail(ErrorCode::Unauthorized, "wrong admin key"))
    }
}

fn admin(app: &App) -> Admin<'_> {
    Admin {
        journal: app.journal.as_ref(),
        vault: app.merchants.vault().map(|v| v.as_ref()),
    }
}

/// The admin routes, to be mounted without the CORS layer.
pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route(paths::MERCHANTS, get(list_merchants).post(add_merchant))
        .route(paths::MERCHANT, get(get_merchant).patch(update_merchant))
        .route(paths::STORES, get(list_stores).post(add_store))
        .route(paths::REGISTERS, get(list_registers).post(add_register))
        .route(paths::REVOKE, post(revoke_register))
}

/// List the merchants
///
/// Every merchant, by id, with salt fingerprints.
#[utoipa::path(
    get,
    path = paths::MERCHANTS,
    operation_id = "listMerchants",
    tag = "admin",
    security(("adminKey" = [])),
    responses(
        (status = 200, description = "The merchants.", body = [MerchantView]),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn list_merchants(
    State(app): State<Arc<App>>,
    _: Administrator,
) -> ApiResult<Json<Vec<MerchantView>>> {
    Ok(Json(admin(&app).merchants().await?))
}

/// Add a merchant
///
/// Validates it, seals its salt under the master key, and journals it. Its registers can pay at
/// once.
#[utoipa::path(
    post,
    path = paths::MERCHANTS,
    operation_id = "addMerchant",
    tag = "admin",
    security(("adminKey" = [])),
    request_body = NewMerchant,
    responses(
        (status = 201, description = "The new merchant.", body = MerchantView),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 409, description = "ID_CONFLICT: a merchant has this id.", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn add_merchant(
    State(app): State<Arc<App>>,
    _: Administrator,
    JsonBody(new): JsonBody<NewMerchant>,
) -> ApiResult<(StatusCode, Json<MerchantView>)> {
    Ok((
        StatusCode::CREATED,
        Json(admin(&app).add_merchant(&new).await?),
    ))
}

/// One merchant
#[utoipa::path(
    get,
    path = paths::MERCHANT,
    operation_id = "getMerchant",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path)),
    responses(
        (status = 200, description = "The merchant.", body = MerchantView),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn get_merchant(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
) -> ApiResult<Json<MerchantView>> {
    Ok(Json(admin(&app).merchant(&merchant).await?))
}

/// Change a merchant
///
/// Changes what the body names; a running proxy applies it to the next request. enabled=false
/// refuses its registers at once and closes their event streams.
#[utoipa::path(
    patch,
    path = paths::MERCHANT,
    operation_id = "updateMerchant",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path)),
    request_body = MerchantPatch,
    responses(
        (status = 200, description = "The merchant as it now is.", body = MerchantView),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn update_merchant(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
    JsonBody(patch): JsonBody<MerchantPatch>,
) -> ApiResult<Json<MerchantView>> {
    Ok(Json(admin(&app).update_merchant(&merchant, &patch).await?))
}

/// List a merchant's stores
#[utoipa::path(
    get,
    path = paths::STORES,
    operation_id = "listStores",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path)),
    responses(
        (status = 200, description = "The stores.", body = [StoreView]),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn list_stores(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
) -> ApiResult<Json<Vec<StoreView>>> {
    Ok(Json(admin(&app).stores(&merchant).await?))
}

/// Add a store
#[utoipa::path(
    post,
    path = paths::STORES,
    operation_id = "addStore",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path)),
    request_body = NewStore,
    responses(
        (status = 201, description = "The new store.", body = StoreView),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 409, description = "ID_CONFLICT: the merchant has a store with this id.", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn add_store(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
    JsonBody(new): JsonBody<NewStore>,
) -> ApiResult<(StatusCode, Json<StoreView>)> {
    Ok((
        StatusCode::CREATED,
        Json(admin(&app).add_store(&merchant, &new).await?),
    ))
}

/// `?storeId=` of the register list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RegisterFilter {
    store_id: Option<String>,
}

/// List a merchant's registers
///
/// Revoked ones included; never a token.
#[utoipa::path(
    get,
    path = paths::REGISTERS,
    operation_id = "listRegisters",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path),
        ("storeId" = Option<Id>, Query, description = "Only this store's.")),
    responses(
        (status = 200, description = "The registers.", body = [RegisterView]),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn list_registers(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
    Query(filter): Query<RegisterFilter>,
) -> ApiResult<Json<Vec<RegisterView>>> {
    let all = admin(&app)
        .registers(&merchant, filter.store_id.as_deref())
        .await?;
    Ok(Json(all))
}

/// Add a register
///
/// Mints its token (shown only in this answer) and journals a keyed hash of it. The register can
/// pay at once.
#[utoipa::path(
    post,
    path = paths::REGISTERS,
    operation_id = "addRegister",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path)),
    request_body = NewRegister,
    responses(
        (status = 201, description = "The new register and its token.", body = IssuedRegister),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 409, description = "ID_CONFLICT: another register of the merchant, not revoked, has this cashierDeviceId.", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn add_register(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path(merchant): Path<String>,
    JsonBody(new): JsonBody<NewRegister>,
) -> ApiResult<(StatusCode, Json<IssuedRegister>)> {
    let issued = admin(&app).add_register(&merchant, &new).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Revoke a register
///
/// Its token is refused from now on (401) and its open event streams close. Revoking again changes
/// nothing.
#[utoipa::path(
    post,
    path = paths::REVOKE,
    operation_id = "revokeRegister",
    tag = "admin",
    security(("adminKey" = [])),
    params(("merchantId" = Id, Path), ("registerId" = Id, Path)),
    responses(
        (status = 200, description = "The register, revoked.", body = RegisterView),
        (status = 400, response = BadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 404, description = "NOT_FOUND: no such merchant (or store, or register of it).", body = ApiError),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn revoke_register(
    State(app): State<Arc<App>>,
    _: Administrator,
    Path((merchant, register)): Path<(String, String)>,
) -> ApiResult<Json<RegisterView>> {
    Ok(Json(
        admin(&app).revoke_register(&merchant, &register).await?,
    ))
}
