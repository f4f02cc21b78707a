//! PingPong's QR payment methods: the one table of the methods this project knows, with the
//! `paymentMethod.type` PingPong calls each, the currencies PingPong's method table lists
//! for it, and its display names (docs/protocol-choices.md #1 and #20).
//!
//! The table is data, the same for the sandbox, the proxy and the browser library. A real
//! account whose methods differ is configured where the account is (the proxy's merchant,
//! the sandbox's `SandboxConfig::methods`); this table is the default.

use crate::money::Currency;

/// A QR payment method: what a register asks for, what PingPong is sent, what it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QrMethod {
    /// The stable method id a register uses, e.g. `ALIPAY_CN`.
    pub id: &'static str,
    /// PingPong's `paymentMethod.type`, e.g. `AlipayCN-Offline`.
    pub pingpong_type: &'static str,
    /// The ISO 4217 codes PingPong's method table lists for it, sorted.
    pub currencies: &'static [&'static str],
    /// The name a customer knows, in English.
    pub name_en: &'static str,
    /// The name a customer knows, in Chinese.
    pub name_zh: &'static str,
}

impl QrMethod {
    /// Whether PingPong's table lists `currency` for this method.
    pub fn takes(&self, currency: Currency) -> bool {
        self.currencies.contains(&currency.code())
    }

    /// The listed currencies as [`Currency`] values.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.currencies
            .iter()
            .filter_map(|code| Currency::from_code(code).ok())
    }
}

/// Alipay (mainland China wallets): `AlipayCN-Offline`, CNY.
pub const ALIPAY_CN: QrMethod = QrMethod {
    id: "ALIPAY_CN",
    pingpong_type: "AlipayCN-Offline",
    currencies: &["CNY"],
    name_en: "Alipay",
    name_zh: "支付宝",
};

/// AlipayHK (Hong Kong wallets): `AlipayHK-Offline`, HKD.
pub const ALIPAY_HK: QrMethod = QrMethod {
    id: "ALIPAY_HK",
    pingpong_type: "AlipayHK-Offline",
    currencies: &["HKD"],
    name_en: "AlipayHK",
    name_zh: "支付宝香港",
};

/// WeChat Pay: `Wechat-Offline`, CNY and HKD.
pub const WECHAT: QrMethod = QrMethod {
    id: "WECHAT",
    pingpong_type: "Wechat-Offline",
    currencies: &["CNY", "HKD"],
    name_en: "WeChat Pay",
    name_zh: "微信支付",
};

/// Every known method, in the order a register lists them.
pub const KNOWN: &[QrMethod] = &[ALIPAY_CN, ALIPAY_HK, WECHAT];

/// Other ids accepted for a known method: `(alias, id)`. `ALIPAY` is the name of the first
/// contract, kept for registers written against it.
pub const ALIASES: &[(&str, &str)] = &[("ALIPAY", "ALIPAY_CN")];

/// The known method with this id or alias (exact, upper case).
pub fn by_id(id: &str) -> Option<&'static QrMethod> {
    let id = ALIASES
        .iter()
        .find(|(alias, _)| *alias == id)
        .map_or(id, |(_, target)| *target);
    KNOWN.iter().find(|m| m.id == id)
}

/// The known method PingPong calls `pingpong_type` (exact).
pub fn by_pingpong_type(pingpong_type: &str) -> Option<&'static QrMethod> {
    KNOWN.iter().find(|m| m.pingpong_type == pingpong_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_pingpongs_method_table() {
        let table: Vec<_> = KNOWN
            .iter()
            .map(|m| (m.id, m.pingpong_type, m.currencies))
            .collect();
        assert_eq!(
            table,
            [
                ("ALIPAY_CN", "AlipayCN-Offline", &["CNY"][..]),
                ("ALIPAY_HK", "AlipayHK-Offline", &["HKD"][..]),
                ("WECHAT", "Wechat-Offline", &["CNY", "HKD"][..]),
            ]
        );
    }

    #[test]
    fn every_listed_currency_is_a_supported_one() {
        for m in KNOWN {
            assert!(!m.currencies.is_empty(), "{}", m.id);
            assert!(m.currencies.is_sorted(), "{}", m.id);
            assert_eq!(m.currencies().count(), m.currencies.len(), "{}", m.id);
        }
    }

    #[test]
    fn ids_types_and_names_are_unique() {
        for (i, a) in KNOWN.iter().enumerate() {
            for b in &KNOWN[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.pingpong_type, b.pingpong_type);
                assert_ne!(a.name_en, b.name_en);
                assert_ne!(a.name_zh, b.name_zh);
            }
        }
        for (alias, target) in ALIASES {
            assert!(by_id(alias).is_some_and(|m| m.id == *target));
            assert!(
                KNOWN.iter().all(|m| m.id != *alias),
                "{alias} shadows an id"
            );
        }
    }

    #[test]
    fn looks_methods_up_by_id_alias_and_type() {
        assert_eq!(by_id("ALIPAY"), Some(&ALIPAY_CN));
        assert_eq!(by_id("ALIPAY_CN"), Some(&ALIPAY_CN));
        assert_eq!(by_id("ALIPAY_HK"), Some(&ALIPAY_HK));
        assert_eq!(by_id("WECHAT"), Some(&WECHAT));
        assert_eq!(by_id("alipay"), None);
        assert_eq!(by_id("AlipayCN-Offline"), None);
        assert_eq!(by_pingpong_type("AlipayHK-Offline"), Some(&ALIPAY_HK));
        assert_eq!(by_pingpong_type("ALIPAY_HK"), None);
    }

    #[test]
    fn takes_only_the_listed_currencies() {
        let code = |c| Currency::from_code(c).unwrap();
        assert!(ALIPAY_CN.takes(code("CNY")));
        assert!(!ALIPAY_CN.takes(code("HKD")));
        assert!(!ALIPAY_CN.takes(code("USD")));
        assert!(ALIPAY_HK.takes(code("HKD")));
        assert!(!ALIPAY_HK.takes(code("CNY")));
        assert!(WECHAT.takes(code("CNY")) && WECHAT.takes(code("HKD")));
        assert!(!WECHAT.takes(code("USD")));
    }
}
