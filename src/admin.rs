//! `essayd keys …`: API-key administration on a data dir, offline.

use std::{path::Path, sync::Arc};

use crate::{
    config::KeyCommand,
    core::{ApiKeys, TenantId},
    store::{SledOptions, SledStore},
};

fn open(data_dir: &Path) -> Result<ApiKeys, String> {
    let store = SledStore::open(data_dir, &SledOptions::default()).map_err(|e| {
        format!(
            "cannot open {}: {e} (is essayd running on it? stop it first: one process per data dir)",
            data_dir.display()
        )
    })?;
    Ok(ApiKeys::new(Arc::new(store)))
}

/// A time as `2026-12-06T06:10:00Z`: whole seconds, UTC.
fn rfc3339_seconds(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Left-aligned columns as wide as their widest cell (counted in characters).
fn print_columns<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; N]| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header);
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
}

/// Runs a key command; the error is a message for the operator.
pub async fn run(command: KeyCommand, data_dir: &Path) -> Result<(), String> {
    match command {
        KeyCommand::Create { tenant, label } => {
            let tenant = TenantId::parse(&tenant).map_err(|e| format!("--tenant: {e}"))?;
            let (key, token) = open(data_dir)?
                .create(&tenant, &label)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "created key {} for tenant {}; the token is shown once:",
                key.key_id,
                key.tenant.as_str()
            );
            println!("{token}");
        }
        KeyCommand::List => {
            let keys = open(data_dir)?.list().map_err(|e| e.to_string())?;
            let rows: Vec<[String; 5]> = keys
                .iter()
                .map(|key| {
                    [
                        key.key_id.clone(),
                        key.tenant.as_str().to_owned(),
                        rfc3339_seconds(key.create_time),
                        if key.revoke_time.is_some() { "revoked" } else { "active" }.to_owned(),
                        key.label.clone(),
                    ]
                })
                .collect();
            print_columns(["key id", "tenant", "created", "state", "label"], &rows);
            if keys.is_empty() {
                eprintln!(
                    "no keys yet: `essayd --data-dir {} keys create --tenant NAME` makes one",
                    data_dir.display()
                );
            }
        }
        KeyCommand::Revoke { key_id } => {
            let key = open(data_dir)?.revoke(&key_id).await.map_err(|e| e.to_string())?;
            println!("revoked key {} of tenant {}", key.key_id, key.tenant.as_str());
        }
    }
    Ok(())
}
