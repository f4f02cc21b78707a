//! Control routes for tests and people: faults, statistics, orders, expiring an order now.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::Sandbox;
use crate::faults::Faults;
use crate::stats::Stats;
use crate::wallet::WalletError;

pub(crate) async fn get_faults(State(sb): State<Sandbox>) -> Json<Faults> {
    Json(sb.faults())
}

pub(crate) async fn put_faults(
    State(sb): State<Sandbox>,
    Json(faults): Json<Faults>,
) -> Json<Faults> {
    tracing::info!(?faults, "faults set");
    sb.set_faults(faults);
    Json(sb.faults())
}

pub(crate) async fn stats(State(sb): State<Sandbox>) -> Json<Stats> {
    Json(sb.stats())
}

pub(crate) async fn order(State(sb): State<Sandbox>, Path(mtid): Path<String>) -> Response {
    match sb.order(&mtid) {
        Some(order) => Json(order).into_response(),
        None => WalletError::Unknown.into_response(),
    }
}

pub(crate) async fn expire(State(sb): State<Sandbox>, Path(mtid): Path<String>) -> Response {
    match sb.expire(&mtid) {
        Ok(order) => Json(order).into_response(),
        Err(e) => e.into_response(),
    }
}
