//! The two ways a merchant writes register tokens down.
//!
//! A tokens file (`--tokens-file`), one register per line, fields separated by whitespace,
//! `#` starting a comment:
//!
//! ```text
//! # token                                                           cashierDeviceId  store
//! 6f1c0b8e2a5d4c7f9e3b1a0d8c6e4f2a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e  POS-1            STORE-PARIS
//! ```
//!
//! Or a list (`--token`, repeatable, or `PINGPONG_QR_TOKENS`, comma-separated):
//! `TOKEN:CASHIER_DEVICE_ID:STORE_ID`.

use crate::config::RegisterToken;

/// Parses a tokens file. Errors name the line (never the token).
pub fn parse_file(text: &str) -> Result<Vec<RegisterToken>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [token, device, store] = fields[..] else {
            return Err(format!(
                "tokens file line {}: expected `TOKEN CASHIER_DEVICE_ID STORE_ID`",
                n + 1
            ));
        };
        out.push(
            RegisterToken::new(token, device, store)
                .map_err(|e| format!("tokens file line {}: {e}", n + 1))?,
        );
    }
    Ok(out)
}

/// Parses one `TOKEN:CASHIER_DEVICE_ID:STORE_ID` entry (the token may itself hold `:`).
pub fn parse_entry(text: &str) -> Result<RegisterToken, String> {
    let mut parts = text.trim().rsplitn(3, ':');
    let (store, device, token) = (parts.next(), parts.next(), parts.next());
    match (token, device, store) {
        (Some(t), Some(d), Some(s)) => RegisterToken::new(t, d, s),
        _ => Err("a register token entry is TOKEN:CASHIER_DEVICE_ID:STORE_ID".into()),
    }
}

/// Parses a comma-separated list of entries (`PINGPONG_QR_TOKENS`).
pub fn parse_list(text: &str) -> Result<Vec<RegisterToken>, String> {
    text.split(',')
        .filter(|e| !e.trim().is_empty())
        .map(parse_entry)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_tokens_file() {
        let text = "# comment\n\n tok-a  POS-1 STORE-1 # trailing\ntok-b\tPOS-2\tSTORE-2\n";
        let regs = parse_file(text).unwrap();
        assert_eq!(regs.len(), 2);
        assert_eq!(regs[0].token.expose(), "tok-a");
        assert_eq!(regs[1].store_id.as_str(), "STORE-2");
    }

    #[test]
    fn file_errors_name_the_line_not_the_token() {
        let err = parse_file("ok POS-1 S\nsecret-token POS-2\n").unwrap_err();
        assert!(
            err.contains("line 2") && !err.contains("secret-token"),
            "{err}"
        );
        let err = parse_file("secret-token POS 2 S\n").unwrap_err();
        assert!(!err.contains("secret-token"), "{err}");
    }

    #[test]
    fn reads_entries_and_lists() {
        let r = parse_entry("a:b:POS-1:ST").unwrap();
        assert_eq!(r.token.expose(), "a:b");
        assert_eq!(r.cashier_device_id.as_str(), "POS-1");
        assert!(parse_entry("tok:POS-1").is_err());
        assert_eq!(parse_list("t1:P1:S1, t2:P2:S2,").unwrap().len(), 2);
        assert!(parse_list("").unwrap().is_empty());
    }
}
