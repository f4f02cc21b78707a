//! The directory: merchants, their stores and registers, and the sealed keys. Every change
//! bumps `directory_version`, which a running proxy watches.

use pingpong_protocol::admin::{MerchantSettings, MethodConfig};
use pingpong_protocol::{
    CashierDeviceId, FailureMode, MerchantId, RegisterId, SignType, StoreId, TimeExpireFormat,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::orders::bad_value;
use crate::journal::model::{
    DirectoryRefusal, MerchantRecord, RegisterRecord, Resealer, Sealed, StoreRecord,
};

/// Tells watchers the directory changed.
fn bump(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE directory_version SET version = version + 1 WHERE id = 1")?
        .execute([])?;
    Ok(())
}

/// The directory's version (bumped by every change).
pub(super) fn version(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT version FROM directory_version WHERE id = 1")?
        .query_row([], |r| r.get(0))
}

fn failure_mode_name(mode: FailureMode) -> &'static str {
    match mode {
        FailureMode::Retryable => "retryable",
        FailureMode::Final => "final",
    }
}

fn id<T>(
    text: String,
    parse: impl Fn(String) -> Result<T, pingpong_protocol::IdError>,
) -> rusqlite::Result<T> {
    parse(text.clone()).map_err(|_| bad_value("id", &text))
}

const MERCHANT_COLUMNS: &str = "id, name, acc_id, client_id, sealed_salt, salt_fingerprint, \
    sign_type, methods, failure_mode, time_expire_format, enabled, created_at, updated_at";

fn merchant_from_row(r: &Row<'_>) -> rusqlite::Result<MerchantRecord> {
    let sign_type: String = r.get(6)?;
    let methods: String = r.get(7)?;
    let failure: String = r.get(8)?;
    let time_expire: String = r.get(9)?;
    Ok(MerchantRecord {
        id: id(r.get(0)?, MerchantId::new)?,
        settings: MerchantSettings {
            name: r.get(1)?,
            acc_id: r.get(2)?,
            client_id: r.get(3)?,
            sign_type: SignType::parse(&sign_type)
                .ok_or_else(|| bad_value("sign type", &sign_type))?,
            methods: serde_json::from_str::<Vec<MethodConfig>>(&methods)
                .map_err(|_| bad_value("methods", &methods))?,
            failure_mode: match failure.as_str() {
                "final" => FailureMode::Final,
                "retryable" => FailureMode::Retryable,
                _ => return Err(bad_value("failure mode", &failure)),
            },
            time_expire_format: TimeExpireFormat::parse(&time_expire)
                .ok_or_else(|| bad_value("timeExpire format", &time_expire))?,
        },
        sealed_salt: r.get(4)?,
        salt_fingerprint: r.get(5)?,
        enabled: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

pub(super) fn load_merchant(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<MerchantRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {MERCHANT_COLUMNS} FROM merchants WHERE id = ?1"
    ))?
    .query_row([id], merchant_from_row)
    .optional()
}

pub(super) fn list_merchants(conn: &Connection) -> rusqlite::Result<Vec<MerchantRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MERCHANT_COLUMNS} FROM merchants ORDER BY id"
    ))?;
    let rows = stmt.query_map([], merchant_from_row)?;
    rows.collect()
}

/// Inserts the merchant, or (`insert` false) replaces everything but `created_at`.
fn write_merchant(
    tx: &Transaction<'_>,
    m: &MerchantRecord,
    insert: bool,
) -> rusqlite::Result<usize> {
    let s = &m.settings;
    let methods = serde_json::to_string(&s.methods).expect("methods serialise");
    let sql = if insert {
        "INSERT INTO merchants (id, name, acc_id, client_id, sealed_salt, salt_fingerprint, \
         sign_type, methods, failure_mode, time_expire_format, enabled, updated_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE merchants SET name = ?2, acc_id = ?3, client_id = ?4, sealed_salt = ?5, \
         salt_fingerprint = ?6, sign_type = ?7, methods = ?8, failure_mode = ?9, \
         time_expire_format = ?10, enabled = ?11, updated_at = ?12 WHERE id = ?1"
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let fields = params![
        m.id.as_str(),
        s.name,
        s.acc_id,
        s.client_id,
        m.sealed_salt,
        m.salt_fingerprint,
        s.sign_type.as_str(),
        methods,
        failure_mode_name(s.failure_mode),
        s.time_expire_format.as_str(),
        m.enabled,
        m.updated_at,
    ];
    let n = if insert {
        let mut all = fields.to_vec();
        all.push(&m.created_at);
        stmt.execute(all.as_slice())?
    } else {
        stmt.execute(fields)?
    };
    if n > 0 {
        bump(tx)?;
    }
    Ok(n)
}

pub(super) fn add_merchant(
    tx: &Transaction<'_>,
    m: &MerchantRecord,
) -> rusqlite::Result<Result<(), DirectoryRefusal>> {
    if load_merchant(tx, m.id.as_str())?.is_some() {
        return Ok(Err(DirectoryRefusal::Exists));
    }
    write_merchant(tx, m, true)?;
    Ok(Ok(()))
}

pub(super) fn put_startup_merchant(
    tx: &Transaction<'_>,
    m: &MerchantRecord,
) -> rusqlite::Result<()> {
    match load_merchant(tx, m.id.as_str())? {
        None => {
            write_merchant(tx, m, true)?;
        }
        Some(old) => {
            let new = MerchantRecord {
                enabled: old.enabled,
                created_at: old.created_at,
                updated_at: old.updated_at,
                ..m.clone()
            };
            if new != old {
                write_merchant(
                    tx,
                    &MerchantRecord {
                        updated_at: m.updated_at,
                        ..new
                    },
                    false,
                )?;
            }
        }
    }
    Ok(())
}

pub(super) fn update_merchant(tx: &Transaction<'_>, m: &MerchantRecord) -> rusqlite::Result<bool> {
    Ok(write_merchant(tx, m, false)? > 0)
}

fn store_from_row(r: &Row<'_>) -> rusqlite::Result<StoreRecord> {
    Ok(StoreRecord {
        merchant_id: id(r.get(0)?, MerchantId::new)?,
        store_id: id(r.get(1)?, StoreId::new)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
    })
}

fn store_exists(conn: &Connection, merchant: &str, store: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM stores WHERE merchant_id = ?1 AND store_id = ?2")?
        .query_row([merchant, store], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

pub(super) fn add_store(
    tx: &Transaction<'_>,
    s: &StoreRecord,
) -> rusqlite::Result<Result<(), DirectoryRefusal>> {
    if load_merchant(tx, s.merchant_id.as_str())?.is_none() {
        return Ok(Err(DirectoryRefusal::NoMerchant));
    }
    if store_exists(tx, s.merchant_id.as_str(), s.store_id.as_str())? {
        return Ok(Err(DirectoryRefusal::Exists));
    }
    tx.prepare_cached(
        "INSERT INTO stores (merchant_id, store_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        s.merchant_id.as_str(),
        s.store_id.as_str(),
        s.name,
        s.created_at
    ])?;
    bump(tx)?;
    Ok(Ok(()))
}

pub(super) fn list_stores(conn: &Connection, merchant: &str) -> rusqlite::Result<Vec<StoreRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT merchant_id, store_id, name, created_at FROM stores WHERE merchant_id = ?1 \
         ORDER BY store_id",
    )?;
    let rows = stmt.query_map([merchant], store_from_row)?;
    rows.collect()
}

const REGISTER_COLUMNS: &str =
    "id, merchant_id, store_id, cashier_device_id, label, token_hash, created_at, revoked_at";

fn register_from_row(r: &Row<'_>) -> rusqlite::Result<RegisterRecord> {
    Ok(RegisterRecord {
        id: id(r.get(0)?, RegisterId::new)?,
        merchant_id: id(r.get(1)?, MerchantId::new)?,
        store_id: id(r.get(2)?, StoreId::new)?,
        cashier_device_id: id(r.get(3)?, CashierDeviceId::new)?,
        label: r.get(4)?,
        token_hash: r.get(5)?,
        created_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

pub(super) fn load_register(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<RegisterRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {REGISTER_COLUMNS} FROM registers WHERE id = ?1"
    ))?
    .query_row([id], register_from_row)
    .optional()
}

pub(super) fn add_register(
    tx: &Transaction<'_>,
    r: &RegisterRecord,
) -> rusqlite::Result<Result<(), DirectoryRefusal>> {
    let merchant = r.merchant_id.as_str();
    if load_merchant(tx, merchant)?.is_none() {
        return Ok(Err(DirectoryRefusal::NoMerchant));
    }
    if !store_exists(tx, merchant, r.store_id.as_str())? {
        return Ok(Err(DirectoryRefusal::NoStore));
    }
    if load_register(tx, r.id.as_str())?.is_some() {
        return Ok(Err(DirectoryRefusal::Exists));
    }
    let taken = tx
        .prepare_cached(
            "SELECT 1 FROM registers WHERE merchant_id = ?1 AND cashier_device_id = ?2 \
             AND revoked_at IS NULL",
        )?
        .query_row([merchant, r.cashier_device_id.as_str()], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Ok(Err(DirectoryRefusal::DeviceTaken));
    }
    tx.prepare_cached(&format!(
        "INSERT INTO registers ({REGISTER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute(params![
        r.id.as_str(),
        merchant,
        r.store_id.as_str(),
        r.cashier_device_id.as_str(),
        r.label,
        r.token_hash,
        r.created_at,
        r.revoked_at,
    ])?;
    bump(tx)?;
    Ok(Ok(()))
}

pub(super) fn list_registers(
    conn: &Connection,
    merchant: &str,
    store: Option<&str>,
) -> rusqlite::Result<Vec<RegisterRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REGISTER_COLUMNS} FROM registers WHERE merchant_id = ?1 \
         AND (?2 IS NULL OR store_id = ?2) ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(params![merchant, store], register_from_row)?;
    rows.collect()
}

pub(super) fn revoke_register(
    tx: &Transaction<'_>,
    merchant: &str,
    id: &str,
    now: u64,
) -> rusqlite::Result<Option<RegisterRecord>> {
    let n = tx
        .prepare_cached(
            "UPDATE registers SET revoked_at = ?3 WHERE merchant_id = ?1 AND id = ?2 \
             AND revoked_at IS NULL",
        )?
        .execute(params![merchant, id, now])?;
    if n > 0 {
        bump(tx)?;
    }
    Ok(load_register(tx, id)?.filter(|r| r.merchant_id.as_str() == merchant))
}

pub(super) fn sealed_key(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT sealed FROM sealed_keys WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()
}

pub(super) fn add_sealed_key(
    tx: &Transaction<'_>,
    name: &str,
    sealed: &[u8],
    now: u64,
) -> rusqlite::Result<Vec<u8>> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO sealed_keys (name, sealed, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![name, sealed, now])?;
    sealed_key(tx, name)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// Re-seals every salt and key; nothing is written unless every one re-sealed.
pub(super) fn reseal(
    tx: &Transaction<'_>,
    reseal: &Resealer,
) -> rusqlite::Result<Result<usize, String>> {
    let salts: Vec<(String, Vec<u8>)> = tx
        .prepare("SELECT id, sealed_salt FROM merchants WHERE sealed_salt IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let keys: Vec<(String, Vec<u8>)> = tx
        .prepare("SELECT name, sealed FROM sealed_keys ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut new_salts = Vec::with_capacity(salts.len());
    for (merchant, sealed) in &salts {
        match reseal(Sealed::Salt { merchant, sealed }) {
            Ok(s) => new_salts.push((merchant, s)),
            Err(e) => return Ok(Err(e)),
        }
    }
    let mut new_keys = Vec::with_capacity(keys.len());
    for (name, sealed) in &keys {
        match reseal(Sealed::Key { name, sealed }) {
            Ok(s) => new_keys.push((name, s)),
            Err(e) => return Ok(Err(e)),
        }
    }
    for (merchant, sealed) in &new_salts {
        tx.execute(
            "UPDATE merchants SET sealed_salt = ?2 WHERE id = ?1",
            params![merchant, sealed],
        )?;
    }
    for (name, sealed) in &new_keys {
        tx.execute(
            "UPDATE sealed_keys SET sealed = ?2 WHERE name = ?1",
            params![name, sealed],
        )?;
    }
    bump(tx)?;
    Ok(Ok(new_salts.len() + new_keys.len()))
}
