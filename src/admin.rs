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

/// Runs a key command; the error is a message for the operator.
pub async fn run(command: KeyCommand) -> Result<(), String> {
    match command {
        KeyCommand::Create {
            tenant,
            label,
            data_dir,
        } => {
            let tenant = TenantId::parse(&tenant).map_err(|e| format!("--tenant: {e}"))?;
            let (key, token) = open(&data_dir)?
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
        KeyCommand::List { data_dir } => {
            println!(
                "{:<14} {:<20} {:<26} {:<10} label",
                "key id", "tenant", "created", "state"
            );
            for key in open(&data_dir)?.list().map_err(|e| e.to_string())? {
                println!(
                    "{:<14} {:<20} {:<26} {:<10} {}",
                    key.key_id,
                    key.tenant.as_str(),
                    key.create_time,
                    if key.revoke_time.is_some() { "revoked" } else { "active" },
                    key.label
                );
            }
        }
        KeyCommand::Revoke { key_id, data_dir } => {
            let key = open(&data_dir)?.revoke(&key_id).await.map_err(|e| e.to_string())?;
            println!("revoked key {} of tenant {}", key.key_id, key.tenant.as_str());
        }
    }
    Ok(())
}
