//! Administration of merchants, their stores and registers: the operations behind the
//! command line (`merchant|store|register …`) and the admin API (`/admin/v1/…`), answered
//! with the admin contract's views — never a salt (a fingerprint instead) nor a token hash;
//! a register's token only once, when it is added.

pub(crate) mod http;

use pingpong_protocol::admin::{
    IssuedRegister, MerchantPatch, MerchantView, NewMerchant, NewRegister, NewStore, RegisterView,
    SaltSource, StoreView,
};
use pingpong_protocol::{ApiError, ErrorCode, MerchantId, RegisterId, StoreId};
use secrecy::ExposeSecret;

use crate::journal::{
    DirectoryRefusal, Journal, JournalError, MerchantRecord, RegisterRecord, StoreRecord,
};
use crate::merchants::Merchant;
use crate::seal::fingerprint;
use crate::util::{now_ms, random_bytes};
use crate::vault::Vault;

/// What an administration call returns.
pub(crate) type AdminResult<T> = Result<T, ApiError>;

fn internal(e: JournalError) -> ApiError {
    tracing::error!(error = %e, "journal failure");
    ApiError::new(ErrorCode::Internal, "the proxy's journal failed; retry")
}

fn no_key() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "the proxy has no master key to seal salts and tokens with: give --master-key-file or \
         PINGPONG_QR_MASTER_KEY",
    )
}

fn refused(r: DirectoryRefusal, what: &str) -> ApiError {
    match r {
        DirectoryRefusal::NoMerchant => ApiError::new(ErrorCode::NotFound, "no such merchant"),
        DirectoryRefusal::NoStore => {
            ApiError::new(ErrorCode::NotFound, "no such store of this merchant")
        }
        DirectoryRefusal::Exists => {
            ApiError::new(ErrorCode::IdConflict, format!("this {what} id is taken"))
        }
        DirectoryRefusal::DeviceTaken => ApiError::new(
            ErrorCode::IdConflict,
            "another register of this merchant has this cashierDeviceId; revoke it first",
        ),
    }
}

fn merchant_id(text: &str) -> AdminResult<MerchantId> {
    MerchantId::new(text).map_err(|e| ApiError::new(ErrorCode::InvalidId, format!("merchant: {e}")))
}

/// The view of a journaled merchant.
pub(crate) fn merchant_view(m: &MerchantRecord) -> MerchantView {
    MerchantView {
        id: m.id.as_str().to_owned(),
        name: m.settings.name.clone(),
        acc_id: m.settings.acc_id.clone(),
        client_id: m.settings.client_id.clone(),
        salt_fingerprint: m.salt_fingerprint.clone(),
        salt_source: if m.sealed_salt.is_some() {
            SaltSource::Sealed
        } else {
            SaltSource::Startup
        },
        sign_type: m.settings.sign_type,
        methods: m.settings.methods.clone(),
        failure_final: m.settings.failure_mode == pingpong_protocol::FailureMode::Final,
        time_expire_format: m.settings.time_expire_format.as_str().to_owned(),
        enabled: m.enabled,
        notification_path: Merchant::notify_path(&m.id),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn store_view(s: &StoreRecord) -> StoreView {
    StoreView {
        merchant_id: s.merchant_id.as_str().to_owned(),
        id: s.store_id.as_str().to_owned(),
        name: s.name.clone(),
        created_at: s.created_at,
    }
}

fn register_view(r: &RegisterRecord) -> RegisterView {
    RegisterView {
        id: r.id.as_str().to_owned(),
        merchant_id: r.merchant_id.as_str().to_owned(),
        store_id: r.store_id.as_str().to_owned(),
        cashier_device_id: r.cashier_device_id.as_str().to_owned(),
        label: r.label.clone(),
        created_at: r.created_at,
        revoked_at: r.revoked_at,
    }
}

/// The administration operations over one journal.
pub(crate) struct Admin<'a> {
    pub journal: &'a dyn Journal,
    /// Seals salts and mints tokens; `None` when no master key was given (then only reads,
    /// store additions, revocations and enabling or disabling merchants work).
    pub vault: Option<&'a Vault>,
}

impl Admin<'_> {
    async fn load(&self, id: &MerchantId) -> AdminResult<MerchantRecord> {
        self.journal
            .merchant(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such merchant"))
    }

    /// Adds a merchant; its salt is sealed at once.
    pub(crate) async fn add_merchant(&self, new: &NewMerchant) -> AdminResult<MerchantView> {
        let valid = new.validate()?;
        let vault = self.vault.ok_or_else(no_key)?;
        let now = now_ms();
        let record = MerchantRecord {
            sealed_salt: Some(vault.sealer().seal_salt(valid.id.as_str(), &valid.salt)),
            salt_fingerprint: fingerprint(&valid.salt),
            id: valid.id,
            settings: valid.settings,
            enabled: true,
            created_at: now,
            updated_at: now,
        };
        self.journal
            .add_merchant(&record)
            .await
            .map_err(internal)?
            .map_err(|r| refused(r, "merchant"))?;
        tracing::info!(merchant = %record.id, fingerprint = %record.salt_fingerprint, "merchant added");
        Ok(merchant_view(&record))
    }

    /// Changes what `patch` names. The merchant `default` of the start flags takes only
    /// `enabled` (its other settings come from the flags).
    pub(crate) async fn update_merchant(
        &self,
        id: &str,
        patch: &MerchantPatch,
    ) -> AdminResult<MerchantView> {
        let id = merchant_id(id)?;
        let mut record = self.load(&id).await?;
        if record.sealed_salt.is_none() && !patch.only_enabled() {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "this merchant is defined by the proxy's start flags: change them there (only \
                 `enabled` can be changed here)",
            ));
        }
        record.settings = patch.apply(&record.settings)?;
        if let Some(salt) = &patch.salt {
            let vault = self.vault.ok_or_else(no_key)?;
            record.sealed_salt = Some(vault.sealer().seal_salt(id.as_str(), salt));
            record.salt_fingerprint = fingerprint(salt);
        }
        if let Some(enabled) = patch.enabled {
            record.enabled = enabled;
        }
        record.updated_at = now_ms();
        if !self
            .journal
            .update_merchant(&record)
            .await
            .map_err(internal)?
        {
            return Err(ApiError::new(ErrorCode::NotFound, "no such merchant"));
        }
        tracing::info!(merchant = %record.id, enabled = record.enabled, "merchant updated");
        Ok(merchant_view(&record))
    }

    /// One merchant.
    pub(crate) async fn merchant(&self, id: &str) -> AdminResult<MerchantView> {
        Ok(merchant_view(&self.load(&merchant_id(id)?).await?))
    }

    /// Every merchant.
    pub(crate) async fn merchants(&self) -> AdminResult<Vec<MerchantView>> {
        let all = self.journal.merchants().await.map_err(internal)?;
        Ok(all.iter().map(merchant_view).collect())
    }

    /// Adds a store to a merchant.
    pub(crate) async fn add_store(&self, merchant: &str, new: &NewStore) -> AdminResult<StoreView> {
        let merchant_id = merchant_id(merchant)?;
        let (store_id, name) = new.validate()?;
        let record = StoreRecord {
            merchant_id,
            store_id,
            name,
            created_at: now_ms(),
        };
        self.journal
            .add_store(&record)
            .await
            .map_err(internal)?
            .map_err(|r| refused(r, "store"))?;
        tracing::info!(merchant = %record.merchant_id, store = %record.store_id, "store added");
        Ok(store_view(&record))
    }

    /// A merchant's stores.
    pub(crate) async fn stores(&self, merchant: &str) -> AdminResult<Vec<StoreView>> {
        let id = merchant_id(merchant)?;
        self.load(&id).await?;
        let all = self.journal.stores(&id).await.map_err(internal)?;
        Ok(all.iter().map(store_view).collect())
    }

    /// Adds a register to a merchant's store and mints its token (shown only in the answer).
    pub(crate) async fn add_register(
        &self,
        merchant: &str,
        new: &NewRegister,
    ) -> AdminResult<IssuedRegister> {
        let merchant_id = merchant_id(merchant)?;
        let (store_id, cashier_device_id, label) = new.validate()?;
        let vault = self.vault.ok_or_else(no_key)?;
        let now = now_ms();
        let id = RegisterId::generate(now, random_bytes());
        let (token, token_hash) = vault.mint(&id);
        let record = RegisterRecord {
            id,
            merchant_id,
            store_id,
            cashier_device_id,
            label,
            token_hash,
            created_at: now,
            revoked_at: None,
        };
        self.journal
            .add_register(&record)
            .await
            .map_err(internal)?
            .map_err(|r| refused(r, "register"))?;
        tracing::info!(
            merchant = %record.merchant_id,
            store = %record.store_id,
            register = %record.id,
            cashier_device_id = %record.cashier_device_id,
            "register added"
        );
        Ok(IssuedRegister {
            register: register_view(&record),
            token: token.expose_secret().to_owned(),
        })
    }

    /// A merchant's registers (of one store, if given).
    pub(crate) async fn registers(
        &self,
        merchant: &str,
        store: Option<&str>,
    ) -> AdminResult<Vec<RegisterView>> {
        let id = merchant_id(merchant)?;
        self.load(&id).await?;
        let store = store
            .map(|s| {
                StoreId::new(s)
                    .map_err(|e| ApiError::new(ErrorCode::InvalidId, format!("store: {e}")))
            })
            .transpose()?;
        let all = self
            .journal
            .registers(&id, store.as_ref())
            .await
            .map_err(internal)?;
        Ok(all.iter().map(register_view).collect())
    }

    /// Revokes a register: its token is refused from now on and its event streams close.
    pub(crate) async fn revoke_register(
        &self,
        merchant: &str,
        register: &str,
    ) -> AdminResult<RegisterView> {
        let merchant_id = merchant_id(merchant)?;
        let register_id = RegisterId::new(register)
            .map_err(|e| ApiError::new(ErrorCode::InvalidId, format!("register: {e}")))?;
        let record = self
            .journal
            .revoke_register(&merchant_id, &register_id, now_ms())
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                ApiError::new(ErrorCode::NotFound, "no such register of this merchant")
            })?;
        tracing::info!(merchant = %merchant_id, register = %register_id, "register revoked");
        Ok(register_view(&record))
    }
}
