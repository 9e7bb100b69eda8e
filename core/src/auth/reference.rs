//! Which registry an image reference points at, and the names the docker CLI files its
//! credentials under (`config.json`'s `auths` keys, credential helpers' server URLs).
//!
//! As the CLI's reference parsing: the first path component is a registry when it has a `.` or a
//! `:` or is `localhost`; otherwise the image is on Docker Hub, whose credentials live under the
//! legacy key `https://index.docker.io/v1/`.

/// Docker Hub's registry name in references.
pub const DOCKER_HUB: &str = "docker.io";

/// The key Docker Hub's credentials are filed under (the CLI's `ElectAuthServer`).
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// The registry host of an image reference: `127.0.0.1:5000/app:1` → `127.0.0.1:5000`,
/// `busybox` or `library/busybox:1` → `docker.io`.
pub fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            if is_docker_hub(first) {
                DOCKER_HUB
            } else {
                first
            }
        }
        _ => DOCKER_HUB,
    }
}

/// The server name credentials for `registry` are filed and asked for under: the host, except
/// Docker Hub's legacy URL.
pub fn auth_key(registry: &str) -> String {
    let host = hostname(registry);
    if is_docker_hub(host) {
        DOCKER_HUB_AUTH_KEY.to_string()
    } else {
        host.to_string()
    }
}

/// The CLI's `ConvertToHostname`: a server name or URL without scheme and path.
pub fn hostname(server: &str) -> &str {
    let rest = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))
        .unwrap_or(server);
    rest.split('/').next().unwrap_or(rest)
}

/// Docker Hub under any of its names.
pub fn is_docker_hub(host: &str) -> bool {
    matches!(
        hostname(host),
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// Whether `key` (an `auths` or `credHelpers` key, possibly a URL) names `registry`.
pub fn same_registry(key: &str, registry: &str) -> bool {
    let (a, b) = (hostname(key), hostname(registry));
    a == b || (is_docker_hub(a) && is_docker_hub(b))
}

/// `repo:tag` → (`repo`, `Some(tag)`); no tag → `latest`, as the CLI pulls (the API, given no
/// tag, would pull every tag); a digest reference (`repo@sha256:…`) is kept whole, with no tag.
pub fn split_tag(image: &str) -> (&str, Option<&str>) {
    if image.contains('@') {
        return (image, None);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rfind(':') {
        Some(i) => {
            let at = image.len() - last.len() + i;
            (&image[..at], Some(&image[at + 1..]))
        }
        None => (image, Some("latest")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_from_references() {
        assert_eq!(split_tag("busybox"), ("busybox", Some("latest")));
        assert_eq!(split_tag("busybox:1.36"), ("busybox", Some("1.36")));
        assert_eq!(
            split_tag("127.0.0.1:5000/team/app"),
            ("127.0.0.1:5000/team/app", Some("latest"))
        );
        assert_eq!(
            split_tag("127.0.0.1:5000/team/app:v2"),
            ("127.0.0.1:5000/team/app", Some("v2"))
        );
        assert_eq!(split_tag("app@sha256:abcd"), ("app@sha256:abcd", None));
    }

    #[test]
    fn registries_of_references() {
        for (image, registry) in [
            ("busybox", "docker.io"),
            ("busybox:1.36", "docker.io"),
            ("library/busybox", "docker.io"),
            ("someone/app@sha256:abcd", "docker.io"),
            ("docker.io/library/busybox", "docker.io"),
            ("index.docker.io/someone/app", "docker.io"),
            ("127.0.0.1:5000/app:1", "127.0.0.1:5000"),
            ("localhost/app", "localhost"),
            ("localhost:5000/a/b/c:t", "localhost:5000"),
            ("ghcr.io/owner/app", "ghcr.io"),
            ("localhost", "docker.io"),
        ] {
            assert_eq!(registry_of(image), registry, "{image}");
        }
    }

    #[test]
    fn auth_keys() {
        assert_eq!(auth_key("docker.io"), DOCKER_HUB_AUTH_KEY);
        assert_eq!(auth_key("https://index.docker.io/v1/"), DOCKER_HUB_AUTH_KEY);
        assert_eq!(auth_key("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(auth_key("https://ghcr.io/v2/"), "ghcr.io");
    }

    #[test]
    fn keys_match_as_the_cli_matches_them() {
        assert!(same_registry("http://127.0.0.1:5000/v2/", "127.0.0.1:5000"));
        assert!(same_registry("https://index.docker.io/v1/", "docker.io"));
        assert!(same_registry("index.docker.io", DOCKER_HUB_AUTH_KEY));
        assert!(!same_registry("127.0.0.1:5000", "127.0.0.1:5001"));
        assert!(!same_registry("ghcr.io", "docker.io"));
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        /// A registry host as references name them (a `.`, a port, or `localhost`).
        fn registry() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-z][a-z0-9-]{0,8}(\\.[a-z][a-z0-9-]{0,8}){1,2}",
                "[a-z][a-z0-9-]{0,8}:[0-9]{1,5}",
                Just("localhost".to_string()),
                Just("localhost:5000".to_string()),
                Just("127.0.0.1:5000".to_string()),
            ]
            .prop_filter("Docker Hub has names of its own", |r| !is_docker_hub(r))
        }

        /// A repository path: components of lowercase letters, digits and separators, the first
        /// without `.`, `:` (or it would be a registry).
        fn path() -> impl Strategy<Value = String> {
            (
                "[a-z0-9]{1,8}",
                prop::collection::vec("[a-z0-9]+([._-][a-z0-9]+)?", 0..3),
            )
                .prop_map(|(first, rest)| {
                    std::iter::once(first)
                        .chain(rest)
                        .collect::<Vec<_>>()
                        .join("/")
                })
        }

        fn tag() -> impl Strategy<Value = String> {
            "[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"
        }

        proptest! {
            /// Any string: no panic; the parts are the string's own.
            #[test]
            fn any_string_splits_into_its_own_parts(image in any::<String>()) {
                let (repo, tag) = split_tag(&image);
                prop_assert!(image.starts_with(repo));
                if let Some(tag) = tag && tag != "latest" {
                    prop_assert_eq!(format!("{repo}:{tag}"), image.clone());
                }
                let registry = registry_of(&image);
                prop_assert!(registry == DOCKER_HUB || image.starts_with(registry));
                let key = auth_key(registry);
                prop_assert!(same_registry(&key, registry));
            }

            /// `[registry/]path[:tag]`: the registry, the repository and the tag come back out.
            #[test]
            fn references_come_apart_as_the_cli_reads_them(
                registry in proptest::option::of(registry()),
                path in path(),
                tag in proptest::option::of(tag()),
            ) {
                let repo = match &registry {
                    Some(r) => format!("{r}/{path}"),
                    None => path.clone(),
                };
                let image = match &tag {
                    Some(t) => format!("{repo}:{t}"),
                    None => repo.clone(),
                };
                prop_assert_eq!(split_tag(&image), (repo.as_str(), Some(tag.as_deref().unwrap_or("latest"))));
                let expected = registry.as_deref().unwrap_or(DOCKER_HUB);
                prop_assert_eq!(registry_of(&image), expected);
                // A digest reference is kept whole.
                let pinned = format!("{repo}@sha256:{}", "0".repeat(64));
                prop_assert_eq!(split_tag(&pinned), (pinned.as_str(), None));
                prop_assert_eq!(registry_of(&pinned), expected);
                // Docker Hub's credentials live under its legacy key, whatever it is called.
                let hub = format!("docker.io/{path}");
                prop_assert_eq!(auth_key(registry_of(&hub)), DOCKER_HUB_AUTH_KEY);
            }

            /// Matching registry keys is reflexive and symmetric, URL forms included.
            #[test]
            fn registry_keys_match_symmetrically(a in registry(), b in registry(), scheme in prop::sample::select(vec!["", "https://", "http://"])) {
                let url = format!("{scheme}{a}/v1/");
                prop_assert!(same_registry(&url, &a));
                prop_assert_eq!(same_registry(&a, &b), same_registry(&b, &a));
            }
        }
    }
}
