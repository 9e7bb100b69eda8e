//! Files into and out of a container through the archive operations (`PUT`/`GET
//! /containers/{id}/archive`, which take and give tar streams): one file in, with its parent
//! folders made by the daemon; one file out, bounded.

use std::io::Read;

use futures_util::StreamExt;

use super::Handle;
use crate::error::{ContainerError, Error};
use crate::transport::segment;

/// The largest file [`Container::read_file`](super::Container::read_file) reads into memory;
/// larger ones are streamed with the generated `container_archive`.
pub const MAX_READ: usize = 256 * 1024 * 1024;

/// Writes `bytes` as the file `path` (absolute) with `mode`; the daemon makes missing parent
/// folders (0755), an existing file is replaced.
pub(crate) async fn write(
    container: &Handle,
    path: &str,
    bytes: Vec<u8>,
    mode: u32,
) -> Result<(), Error> {
    let relative = path.trim_start_matches('/');
    let invalid = |reason: &str| -> Error {
        ContainerError::File {
            container: container.label(),
            path: path.to_string(),
            reason: reason.to_string(),
        }
        .into()
    };
    if !path.starts_with('/') || relative.is_empty() || relative.ends_with('/') {
        return Err(invalid("a file's absolute path is needed"));
    }
    if relative
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        return Err(invalid("the path has empty, `.` or `..` parts"));
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(mode);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header.set_entry_type(tar::EntryType::Regular);
    let mut archive = tar::Builder::new(Vec::with_capacity(bytes.len() + 2048));
    archive
        .append_data(&mut header, relative, bytes.as_slice())
        .map_err(|e| invalid(&e.to_string()))?;
    let archive = archive.into_inner().map_err(|e| invalid(&e.to_string()))?;
    let requests = &container.requests;
    let put = requests
        .put(&format!("/containers/{}/archive", segment(&container.id)))
        .query(&[("path", "/")])
        .header(http::header::CONTENT_TYPE, "application/x-tar")
        .body(archive);
    requests.send(put, "put_container_archive").await.map(drop)
}

/// Reads the regular file `path`, at most [`MAX_READ`] bytes.
pub(crate) async fn read(container: &Handle, path: &str) -> Result<Vec<u8>, Error> {
    let fail = |reason: String| -> Error {
        ContainerError::File {
            container: container.label(),
            path: path.to_string(),
            reason,
        }
        .into()
    };
    let requests = &container.requests;
    let get = requests
        .get(&format!("/containers/{}/archive", segment(&container.id)))
        .query(&[("path", path)]);
    let response = requests.send(get, "container_archive").await?;
    let mut body = crate::stream::body::body_of(response);
    // The tar of one file: the file, a header and padding.
    let mut archive = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if archive.len() + chunk.len() > MAX_READ + 64 * 1024 {
            return Err(fail(format!(
                "larger than {} MiB: stream it with the archive operation",
                MAX_READ >> 20
            )));
        }
        archive.extend_from_slice(&chunk);
    }
    let mut entries = tar::Archive::new(archive.as_slice());
    let mut entries = entries.entries().map_err(|e| fail(e.to_string()))?;
    let Some(entry) = entries.next() else {
        return Err(fail("the daemon's archive is empty".into()));
    };
    let mut entry = entry.map_err(|e| fail(e.to_string()))?;
    match entry.header().entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => {}
        tar::EntryType::Directory => return Err(fail("is a directory".into())),
        tar::EntryType::Symlink => {
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(fail(format!(
                "is a symbolic link to {target:?}: read that instead"
            )));
        }
        other => return Err(fail(format!("is not a regular file ({other:?})"))),
    }
    let mut bytes = Vec::with_capacity(entry.size().min(MAX_READ as u64) as usize);
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    Ok(bytes)
}
