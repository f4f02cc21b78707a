//! The administration subcommands, run against the database of a proxy that may be
//! running: it sees each change at once (it reads merchants and registers from the journal
//! at every call, and its event streams re-check their register when the directory
//! changes). What they print is the admin API's views: a salt never, a register's token
//! once.

use std::fmt::Write as _;
use std::path::Path;

use pingpong_protocol::admin::{
    IssuedRegister, MerchantPatch, MerchantView, NewMerchant, NewRegister, NewStore, RegisterView,
    SaltSource, StoreView,
};
use serde::Serialize;

use crate::admin::Admin;
use crate::cli::{
    Command, MasterKeyCommand, MerchantArgs, MerchantCommand, Output, RegisterCommand,
    StoreCommand, read_secret,
};
use crate::journal::sqlite::SqliteJournal;
use crate::keys::{KeyChoice, MasterKey};
use crate::vault::{self, Vault};

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("views serialise") + "\n"
}

fn merchant_table(all: &[MerchantView]) -> String {
    let mut out = format!(
        "{:<20} {:<28} {:<24} {:<20} {:<17} {:<6} {:<8} {}\n",
        "ID", "NAME", "ACC_ID", "CLIENT_ID", "SALT", "SIGN", "ENABLED", "METHODS"
    );
    for m in all {
        let salt = match m.salt_source {
            SaltSource::Sealed => format!("{} sealed", m.salt_fingerprint),
            SaltSource::Startup => format!("{} flags", m.salt_fingerprint),
        };
        let methods: Vec<String> = m
            .methods
            .iter()
            .map(|x| {
                let cur = if x.currencies.is_empty() {
                    String::new()
                } else {
                    format!(":{}", x.currencies.join(","))
                };
                format!("{}={}{cur}", x.method.as_str(), x.kind)
            })
            .collect();
        let _ = writeln!(
            out,
            "{:<20} {:<28} {:<24} {:<20} {:<17} {:<6} {:<8} {}",
            m.id,
            m.name,
            m.acc_id,
            m.client_id,
            salt,
            m.sign_type.as_str(),
            m.enabled,
            methods.join(" ")
        );
    }
    out
}

fn store_table(all: &[StoreView]) -> String {
    let mut out = format!("{:<20} {:<20} {}\n", "MERCHANT", "ID", "NAME");
    for s in all {
        let _ = writeln!(out, "{:<20} {:<20} {}", s.merchant_id, s.id, s.name);
    }
    out
}

fn register_table(all: &[RegisterView]) -> String {
    let mut out = format!(
        "{:<28} {:<16} {:<16} {:<20} {:<8} {}\n",
        "ID", "MERCHANT", "STORE", "CASHIER_DEVICE_ID", "REVOKED", "LABEL"
    );
    for r in all {
        let _ = writeln!(
            out,
            "{:<28} {:<16} {:<16} {:<20} {:<8} {}",
            r.id,
            r.merchant_id,
            r.store_id,
            r.cashier_device_id,
            r.revoked_at.is_some(),
            r.label
        );
    }
    out
}

fn issued(r: &IssuedRegister) -> String {
    format!(
        "register {} added to store {} of merchant {} (cashierDeviceId {}).\n\
         Its token, shown this once (the proxy keeps only a keyed hash):\n{}\n",
        r.register.id,
        r.register.store_id,
        r.register.merchant_id,
        r.register.cashier_device_id,
        r.token
    )
}

fn show<T: Serialize>(output: &Output, value: &T, table: impl FnOnce(&T) -> String) -> String {
    if output.json {
        json(value)
    } else {
        table(value)
    }
}

fn new_merchant(id: String, args: MerchantArgs) -> Result<NewMerchant, String> {
    let need = |v: Option<String>, flag: &str| v.ok_or(format!("merchant add needs --{flag}"));
    let salt_file = args
        .salt_file
        .ok_or("merchant add needs --salt-file FILE (or - for stdin)")?;
    Ok(NewMerchant {
        id,
        name: need(args.name, "name")?,
        acc_id: need(args.acc_id, "acc-id")?,
        client_id: need(args.client_id, "client-id")?,
        salt: read_secret(&salt_file, "salt")?.expose().to_owned(),
        sign_type: args.sign_type,
        methods: (!args.methods.is_empty()).then_some(args.methods),
        failure_final: args.failure_final,
        time_expire_format: args.time_expire_format,
    })
}

fn patch(args: MerchantArgs, enabled: Option<bool>) -> Result<MerchantPatch, String> {
    Ok(MerchantPatch {
        name: args.name,
        acc_id: args.acc_id,
        client_id: args.client_id,
        salt: args
            .salt_file
            .map(|p| read_secret(&p, "salt").map(|s| s.expose().to_owned()))
            .transpose()?,
        sign_type: args.sign_type,
        methods: (!args.methods.is_empty()).then_some(args.methods),
        failure_final: args.failure_final,
        time_expire_format: args.time_expire_format,
        enabled,
    })
}

/// Runs `command` on `database` with the master key `key`; what to print on stdout, or
/// the error to print on stderr.
pub async fn run(command: Command, database: &Path, key: &KeyChoice) -> Result<String, String> {
    let journal = SqliteJournal::open(database).map_err(|e| e.to_string())?;
    let master = key.resolve(database, false)?;
    let needs_key = matches!(
        &command,
        Command::MasterKey(_)
            | Command::Register(RegisterCommand::Add { .. })
            | Command::Merchant(MerchantCommand::Add { .. })
    );
    let vault = match &master {
        Some((key, _)) => Some(Vault::open(&journal, key).await?),
        None if needs_key => {
            return Err(format!(
                "no master key: give --master-key-file or PINGPONG_QR_MASTER_KEY (or keep the \
                 key file {} beside the database)",
                crate::keys::beside(database).display()
            ));
        }
        None => None,
    };
    let admin = Admin {
        journal: &journal,
        vault: vault.as_ref(),
    };
    let e = |e: pingpong_protocol::ApiError| format!("{}: {}", e.code, e.message);
    match command {
        Command::Merchant(MerchantCommand::Add {
            id,
            settings,
            output,
        }) => {
            let view = admin
                .add_merchant(&new_merchant(id, settings)?)
                .await
                .map_err(e)?;
            Ok(show(&output, &view, |v| {
                merchant_table(std::slice::from_ref(v))
            }))
        }
        Command::Merchant(MerchantCommand::List { output }) => {
            let all = admin.merchants().await.map_err(e)?;
            Ok(show(&output, &all, |v| merchant_table(v)))
        }
        Command::Merchant(MerchantCommand::Update {
            id,
            settings,
            enabled,
            output,
        }) => {
            let view = admin
                .update_merchant(&id, &patch(settings, enabled)?)
                .await
                .map_err(e)?;
            Ok(show(&output, &view, |v| {
                merchant_table(std::slice::from_ref(v))
            }))
        }
        Command::Merchant(MerchantCommand::Disable { id, output }) => {
            let off = MerchantPatch {
                enabled: Some(false),
                ..MerchantPatch::default()
            };
            let view = admin.update_merchant(&id, &off).await.map_err(e)?;
            Ok(show(&output, &view, |v| {
                merchant_table(std::slice::from_ref(v))
            }))
        }
        Command::Store(StoreCommand::Add {
            merchant,
            id,
            name,
            output,
        }) => {
            let view = admin
                .add_store(&merchant, &NewStore { id, name })
                .await
                .map_err(e)?;
            Ok(show(&output, &view, |v| {
                store_table(std::slice::from_ref(v))
            }))
        }
        Command::Store(StoreCommand::List { merchant, output }) => {
            let all = admin.stores(&merchant).await.map_err(e)?;
            Ok(show(&output, &all, |v| store_table(v)))
        }
        Command::Register(RegisterCommand::Add {
            merchant,
            store,
            cashier_device_id,
            label,
            output,
        }) => {
            let new = NewRegister {
                store_id: store,
                cashier_device_id,
                label,
            };
            let r = admin.add_register(&merchant, &new).await.map_err(e)?;
            Ok(show(&output, &r, issued))
        }
        Command::Register(RegisterCommand::List {
            merchant,
            store,
            output,
        }) => {
            let all = admin
                .registers(&merchant, store.as_deref())
                .await
                .map_err(e)?;
            Ok(show(&output, &all, |v| register_table(v)))
        }
        Command::Register(RegisterCommand::Revoke {
            merchant,
            id,
            output,
        }) => {
            let view = admin.revoke_register(&merchant, &id).await.map_err(e)?;
            Ok(show(&output, &view, |v| {
                register_table(std::slice::from_ref(v))
            }))
        }
        Command::MasterKey(MasterKeyCommand::Rotate { new_key_file }) => {
            let (old, _) = master.expect("checked above");
            let new = MasterKey::read_file(&new_key_file)?;
            let n = vault::rotate(&journal, &old, &new).await?;
            Ok(format!(
                "re-sealed {n} values under the new master key ({}); register tokens stay \
                 valid. Start the proxy with --master-key-file {}; keep the old key until \
                 you have checked it starts.\n",
                new_key_file.display(),
                new_key_file.display()
            ))
        }
    }
}
