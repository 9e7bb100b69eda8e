//! Getting spec files into `spec/`: copied from a local folder or downloaded, and always checked
//! against a sha256.

use std::path::Path;

pub use docker_engine_codegen::specs::sha256_hex;

/// Reads `file_name` from `from` if given, else downloads `url` (with `curl`).
pub fn obtain(file_name: &str, url: &str, from: Option<&Path>) -> Result<Vec<u8>, String> {
    match from {
        Some(dir) => {
            let path = dir.join(file_name);
            std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
        }
        None => download(url),
    }
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--max-time",
            "120",
            url,
        ])
        .output()
        .map_err(|e| format!("downloading {url}: cannot run curl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "downloading {url}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// Fails unless `bytes` hash to `expected`.
pub fn verify(file_name: &str, bytes: &[u8], expected: &str) -> Result<(), String> {
    let actual = sha256_hex(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{file_name}: sha256 {actual} does not match the manifest's {expected}; refusing it"
        ))
    }
}
