//! Reading, writing and comparing the snapshot directory (`schema/entities/*.json`).

use std::path::{Path, PathBuf};

use crate::model::{EntitySnapshot, to_pretty_json};
use crate::{Error, Result};

/// Where the entity files live inside the snapshot directory.
pub fn entities_dir(schema_dir: &Path) -> PathBuf {
    schema_dir.join("entities")
}

/// Loads every `schema/entities/*.json`, sorted by entity name.
pub fn load(schema_dir: &Path) -> Result<Vec<EntitySnapshot>> {
    let dir = entities_dir(schema_dir);
    let read = std::fs::read_dir(&dir)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = read
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        let entity: EntitySnapshot = serde_json::from_str(&text).map_err(|e| {
            Error::Input(format!(
                "{} is not a valid entity file: {e}",
                path.display()
            ))
        })?;
        out.push(entity);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The files a snapshot consists of: (file name, contents).
pub fn render(entities: &[EntitySnapshot]) -> Result<Vec<(String, String)>> {
    entities
        .iter()
        .map(|e| {
            let text = to_pretty_json(e)
                .map_err(|err| Error::Input(format!("cannot serialise {}: {err}", e.name)))?;
            Ok((format!("{}.json", e.name), text))
        })
        .collect()
}

/// Differences between the files on disk and `entities`, as human-readable lines.
pub fn diff(schema_dir: &Path, entities: &[EntitySnapshot]) -> Result<Vec<String>> {
    let dir = entities_dir(schema_dir);
    let wanted = render(entities)?;
    let mut out = Vec::new();
    for (name, text) in &wanted {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(existing) if &existing == text => {}
            Ok(_) => out.push(format!("changed: {name}")),
            Err(_) => out.push(format!("missing: {name}")),
        }
    }
    if let Ok(read) = std::fs::read_dir(&dir) {
        let mut extra: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json") && !wanted.iter().any(|(w, _)| w == n))
            .collect();
        extra.sort();
        out.extend(extra.into_iter().map(|n| format!("stale: {n}")));
    }
    Ok(out)
}

/// Writes the snapshot: every entity file is written through a temporary file and renamed, and
/// files of entities no longer present are removed. Returns the number of files changed.
pub fn write(schema_dir: &Path, entities: &[EntitySnapshot]) -> Result<usize> {
    let dir = entities_dir(schema_dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
    let changes = diff(schema_dir, entities)?;
    for (name, text) in render(entities)? {
        let path = dir.join(&name);
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &text)
            .map_err(|e| Error::Io(format!("cannot write {}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    for line in &changes {
        if let Some(name) = line.strip_prefix("stale: ") {
            let path = dir.join(name);
            std::fs::remove_file(&path)
                .map_err(|e| Error::Io(format!("cannot remove {}: {e}", path.display())))?;
        }
    }
    Ok(changes.len())
}
