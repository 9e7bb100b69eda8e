//! A busybox image without a registry: a root filesystem tarball of Debian's static busybox
//! (`/bin/busybox`, from busybox-static) and its applet links, imported through the client's own
//! image import call.

use super::daemon::read_all;

/// Commands the busybox image links to `/bin/busybox`.
const APPLETS: &[&str] = &[
    "sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "printf", "yes", "head", "dd",
    "wc", "tail", "id", "stty",
];

/// An image tarball (a root filesystem) holding Debian's static busybox and its applet links.
pub fn busybox_rootfs_tar() -> Vec<u8> {
    busybox_rootfs_tar_with(&[])
}

/// The same with extra regular files `(path, contents)`, e.g. to make a layer no other image has.
pub fn busybox_rootfs_tar_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    let busybox =
        std::fs::read("/bin/busybox").expect("busybox-static is installed (/bin/busybox)");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, "bin/busybox", busybox.as_slice())
        .unwrap();
    for applet in APPLETS {
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        link.set_mode(0o777);
        builder
            .append_link(&mut link, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, *contents).unwrap();
    }
    let mut tmp = tar::Header::new_gnu();
    tmp.set_entry_type(tar::EntryType::Directory);
    tmp.set_mode(0o1777);
    tmp.set_size(0);
    builder
        .append_data(&mut tmp, "tmp/", std::io::empty())
        .unwrap();
    builder.into_inner().unwrap()
}

/// Imports the busybox root filesystem as `repo:latest` through the client's own image import
/// call; returns the image reference. The caller removes it (`Cleanup::image`).
pub async fn import_busybox(client: &docker_engine_client::v1_55::Client, repo: &str) -> String {
    import_rootfs(client, repo, busybox_rootfs_tar()).await
}

/// Imports a root filesystem tarball as `repo:latest`; returns the image reference.
pub async fn import_rootfs(
    client: &docker_engine_client::v1_55::Client,
    repo: &str,
    rootfs: Vec<u8>,
) -> String {
    use docker_engine_client::stream::ByteStreamExt;
    let progress = client
        .image_create()
        .from_src("-")
        .repo(repo)
        .tag("latest")
        .body(rootfs)
        .send()
        .await
        .unwrap();
    let progress = read_all(progress.into_body()).await;
    let progress = String::from_utf8_lossy(&progress);
    assert!(
        progress.contains("sha256:") && !progress.contains("errorDetail"),
        "{progress}"
    );
    format!("{repo}:latest")
}

/// What most daemon tests start from: the local daemon, a v1.55 client of it, a clean-up guard
/// and a busybox image of the test's own (removed with the guard).
pub struct BusyboxFixture {
    /// The connection.
    pub docker: docker_engine_client::Docker,
    /// Its v1.55 client (negotiated down to the daemon's version).
    pub client: docker_engine_client::v1_55::Client,
    /// Removes what the test made, the image included.
    pub cleanup: super::Cleanup,
    /// The image's reference.
    pub image: String,
}

impl BusyboxFixture {
    /// `None` when the daemon is missing (a failure under `CI=true`); `prefix` names the image.
    pub async fn new(prefix: &str) -> Option<Self> {
        let docker = super::docker()?;
        let client: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
        let cleanup = super::Cleanup::new(&docker);
        let image = import_busybox(&client, &super::unique(prefix)).await;
        cleanup.image(&image);
        Some(Self {
            docker,
            client,
            cleanup,
            image,
        })
    }
}
