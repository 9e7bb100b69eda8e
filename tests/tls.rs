//! Mutual TLS against a real `dockerd`: the test makes a CA, a server and a client certificate
//! (rcgen), starts a second daemon with `--tlsverify` on tcp://127.0.0.1:2376, and checks that the right
//! CA and client certificate work, while a wrong CA or no client certificate is refused; and that
//! a WebSocket attach works over the TLS connection (with the `websocket` feature).

#[cfg(not(all(feature = "v1_55", feature = "tls")))]
#[test]
#[ignore = "TLS needs the tls feature: --features docker-engine-client/tls"]
fn needs_the_tls_feature() {}

#[cfg(all(feature = "v1_55", feature = "tls"))]
mod support;

/// With the `tls` feature; without it, the placeholder above says so.
#[cfg(all(feature = "v1_55", feature = "tls"))]
mod mutual {
    use super::support;

    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use docker_engine_client::{Docker, DockerBuilder, Error, TlsOptions, TransportError, v1_55};
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, SanType,
    };

    /// A CA and the certificates it signed, written as the docker CLI's `ca.pem`/`cert.pem`/`key.pem`.
    struct Pki {
        dir: tempfile::TempDir,
    }

    impl Pki {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let ca = ca("dec test CA");
            let server_key = KeyPair::generate().unwrap();
            // `docker.invalid`: the name the proxy test reaches the daemon by (through the proxy,
            // never resolved here).
            let mut server =
                CertificateParams::new(vec!["localhost".into(), "docker.invalid".into()]).unwrap();
            server
                .subject_alt_names
                .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
            server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            let server_cert = server.signed_by(&server_key, &ca).unwrap();
            let client_key = KeyPair::generate().unwrap();
            let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
            client
                .distinguished_name
                .push(DnType::CommonName, "dec test client");
            client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            let client_cert = client.signed_by(&client_key, &ca).unwrap();

            let write =
                |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
            write("ca.pem", ca.pem());
            write("server-cert.pem", server_cert.pem());
            write("server-key.pem", server_key.serialize_pem());
            write("cert.pem", client_cert.pem());
            write("key.pem", client_key.serialize_pem());
            // Another CA, which signed nothing the daemon uses.
            std::fs::create_dir(dir.path().join("wrong")).unwrap();
            std::fs::write(
                dir.path().join("wrong/ca.pem"),
                self::ca("dec wrong CA").pem(),
            )
            .unwrap();
            Self { dir }
        }

        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }
    }

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    }

    /// A second dockerd (support/second_daemon.rs) with `--tlsverify`, listening on
    /// tcp://127.0.0.1:2376 inside its network namespace; socat joins that port to a unix socket
    /// on the shared filesystem, and a byte-for-byte TCP forwarder on the host's loopback leads
    /// there. TLS runs end to end between the client and the daemon.
    struct TlsDaemon {
        daemon: support::SecondDaemon,
        host: String,
        _forwarder: support::RecordingProxy,
    }

    impl TlsDaemon {
        async fn start(pki: &Pki) -> Option<Self> {
            support::require(support::which("socat"), "socat (to reach the TLS daemon)")?;
            let args = format!(
                "-H tcp://127.0.0.1:2376 --tlsverify --tlscacert {ca} --tlscert {cert} --tlskey {key}",
                ca = pki.path("ca.pem").display(),
                cert = pki.path("server-cert.pem").display(),
                key = pki.path("server-key.pem").display(),
            );
            let daemon = support::SecondDaemon::start(
                &args,
                "socat UNIX-LISTEN:{root}/tls.sock,fork TCP:127.0.0.1:2376 &",
            )
            .await?;
            let deadline = Instant::now() + Duration::from_secs(10);
            while !daemon.path("tls.sock").exists() {
                assert!(Instant::now() < deadline, "socat did not start");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let forwarder = support::RecordingProxy::start(daemon.path("tls.sock")).await;
            let host = forwarder.host.clone();
            Some(TlsDaemon {
                daemon,
                host,
                _forwarder: forwarder,
            })
        }

        fn log(&self) -> String {
            self.daemon.log()
        }
    }

    async fn server_version(docker: &Docker) -> Result<String, Error> {
        let client: v1_55::Client = docker.client().await?;
        Ok(client
            .system_version()
            .send()
            .await?
            .into_inner()
            .version
            .unwrap_or_default())
    }

    #[tokio::test]
    #[ignore = "needs root with dockerd, unshare, socat and ip, to start a second daemon with TLS: cargo test -- --include-ignored (CI runs them)"]
    async fn mutual_tls_with_a_real_daemon() {
        let pki = Pki::new();
        let Some(daemon) = TlsDaemon::start(&pki).await else {
            return;
        };

        // The right CA and client certificate, from the environment as the CLI reads it.
        let env = |key: &str| match key {
            "DOCKER_HOST" => Some(daemon.host.clone()),
            "DOCKER_TLS_VERIFY" => Some("1".into()),
            "DOCKER_CERT_PATH" => Some(pki.dir.path().display().to_string()),
            _ => None,
        };
        let docker = DockerBuilder::from_env_with(&env).unwrap().build().unwrap();
        let version = server_version(&docker)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", daemon.log()));
        assert!(!version.is_empty());

        // A CA that did not sign the daemon's certificate: refused, as a TLS error.
        let wrong_ca = TlsOptions {
            ca: Some(pki.path("wrong/ca.pem")),
            ..TlsOptions::from_dir(pki.dir.path())
        };
        let docker = Docker::builder()
            .host(&daemon.host)
            .tls(wrong_ca)
            .build()
            .unwrap();
        let err = server_version(&docker).await.unwrap_err();
        assert!(
            matches!(err, Error::Transport(TransportError::Tls { .. })),
            "{err:?}"
        );

        // No client certificate: the daemon (--tlsverify) refuses the connection.
        let no_client_cert = TlsOptions {
            ca: Some(pki.path("ca.pem")),
            cert: None,
            key: None,
            verify: true,
        };
        let docker = Docker::builder()
            .host(&daemon.host)
            .tls(no_client_cert)
            .build()
            .unwrap();
        let err = server_version(&docker).await.unwrap_err();
        assert!(err.is_transport(), "{err:?}");

        // Verification off only when asked for: any CA goes, the client certificate still counts.
        let insecure = TlsOptions {
            ca: Some(pki.path("wrong/ca.pem")),
            ..TlsOptions::from_dir(pki.dir.path())
        }
        .danger_accept_invalid_certs();
        let docker = Docker::builder()
            .host(&daemon.host)
            .tls(insecure)
            .build()
            .unwrap();
        assert_eq!(server_version(&docker).await.unwrap(), version);

        // A context with TLS material under contexts/tls/<id>/docker/.
        let config = tempfile::tempdir().unwrap();
        let name = support::unique("tlsctx");
        let tls_dir = support::write_context(config.path(), &name, &daemon.host);
        std::fs::create_dir_all(&tls_dir).unwrap();
        for file in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::copy(pki.path(file), tls_dir.join(file)).unwrap();
        }
        let config_path = config.path().display().to_string();
        let env = |key: &str| match key {
            "DOCKER_CONFIG" => Some(config_path.clone()),
            "DOCKER_CONTEXT" => Some(name.clone()),
            _ => None,
        };
        let docker = DockerBuilder::from_env_with(&env).unwrap().build().unwrap();
        assert_eq!(server_version(&docker).await.unwrap(), version);

        // Through a proxy (HTTPS_PROXY with credentials, a daemon by name): a CONNECT tunnel for
        // each connection, TLS to the daemon end to end inside it, and the proxy's
        // credentials on the CONNECT (never sent to the daemon).
        let proxy = support::ConnectProxy::start(daemon.daemon.path("tls.sock")).await;
        let proxy_url = proxy.url.replace("http://", "http://proxyuser:pr0xy@");
        let cert_path = pki.dir.path().display().to_string();
        let env = |key: &str| match key {
            "DOCKER_HOST" => Some("tcp://docker.invalid:2376".into()),
            "DOCKER_TLS_VERIFY" => Some("1".into()),
            "DOCKER_CERT_PATH" => Some(cert_path.clone()),
            "HTTPS_PROXY" => Some(proxy_url.clone()),
            _ => None,
        };
        let docker = DockerBuilder::from_env_with(&env).unwrap().build().unwrap();
        let through_proxy = server_version(&docker)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{:?}", proxy.heads()));
        assert_eq!(through_proxy, version);
        let heads = proxy.heads();
        assert!(!heads.is_empty(), "no tunnel asked for");
        for head in &heads {
            assert!(
                head.starts_with("CONNECT docker.invalid:2376 HTTP/1.1\r\n"),
                "{heads:?}"
            );
            // base64("proxyuser:pr0xy")
            assert!(
                head.to_ascii_lowercase()
                    .contains("proxy-authorization: basic chjvehl1c2vyonbymhh5"),
                "{heads:?}"
            );
        }

        // WebSocket attach over TLS: the upgrade, messages both ways and the close handshake on
        // the encrypted connection (`cat` on the TLS daemon, no network).
        #[cfg(feature = "websocket")]
        websocket_echo(&docker).await;

        // A client certificate without ca.pem, verification on: the system's roots are trusted,
        // as the CLI does. The system does not know the test CA: refused as a TLS error...
        let no_ca = tempfile::tempdir().unwrap();
        for file in ["cert.pem", "key.pem"] {
            std::fs::copy(pki.path(file), no_ca.path().join(file)).unwrap();
        }
        let no_ca_path = no_ca.path().display().to_string();
        let env = |key: &str| match key {
            "DOCKER_HOST" => Some(daemon.host.clone()),
            "DOCKER_TLS_VERIFY" => Some("1".into()),
            "DOCKER_CERT_PATH" => Some(no_ca_path.clone()),
            _ => None,
        };
        let docker = DockerBuilder::from_env_with(&env).unwrap().build().unwrap();
        let err = server_version(&docker).await.unwrap_err();
        assert!(
            matches!(err, Error::Transport(TransportError::Tls { .. })),
            "{err:?}"
        );
        // ...and once the system's store is the test CA (SSL_CERT_FILE, read by the system-roots
        // loader as by OpenSSL and Go), the same settings connect.
        // SAFETY: the only test of this binary that reads the environment is this one, and no
        // other thread of it reads or writes the environment now.
        unsafe { std::env::set_var("SSL_CERT_FILE", pki.path("ca.pem")) };
        let docker = DockerBuilder::from_env_with(&env).unwrap().build();
        // An `https://` proxy (TLS to the proxy, trusted through the system's store as above,
        // then a CONNECT tunnel inside it, then TLS to the daemon inside that).
        let tls_proxy = support::ConnectProxy::start_tls(
            daemon.daemon.path("tls.sock"),
            &pki.path("server-cert.pem"),
            &pki.path("server-key.pem"),
        )
        .await;
        let env = |key: &str| match key {
            "DOCKER_HOST" => Some("tcp://docker.invalid:2376".into()),
            "DOCKER_TLS_VERIFY" => Some("1".into()),
            "DOCKER_CERT_PATH" => Some(cert_path.clone()),
            "HTTPS_PROXY" => Some(tls_proxy.url.clone()),
            _ => None,
        };
        let through_tls_proxy = DockerBuilder::from_env_with(&env).unwrap().build();
        unsafe { std::env::remove_var("SSL_CERT_FILE") };
        assert_eq!(server_version(&docker.unwrap()).await.unwrap(), version);
        let through_tls_proxy = server_version(&through_tls_proxy.unwrap())
            .await
            .unwrap_or_else(|e| panic!("{e}\n{:?}", tls_proxy.heads()));
        assert_eq!(through_tls_proxy, version);
        let heads = tls_proxy.heads();
        assert!(
            !heads.is_empty()
                && heads
                    .iter()
                    .all(|h| h.starts_with("CONNECT docker.invalid:2376 HTTP/1.1\r\n")),
            "{heads:?}"
        );
    }

    #[cfg(feature = "websocket")]
    async fn websocket_echo(docker: &Docker) {
        use docker_engine_client::stream::{self, AttachOptions};
        use futures_util::{StreamExt, TryStreamExt};
        let client: v1_55::Client = docker.client().await.unwrap();
        let image = support::import_busybox(&client, &support::unique("tls-ws")).await;
        let body = v1_55::types::ContainerCreateBody {
            image: Some(image),
            cmd: Some(vec!["cat".into()]),
            open_stdin: true,
            host_config: Some(v1_55::types::HostConfig {
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = client
            .container_create()
            .body(body)
            .send()
            .await
            .unwrap()
            .into_inner()
            .id;
        client.container_start().id(&id).send().await.unwrap();
        let mut ws = stream::attach_websocket(&client, &id, &AttachOptions::default())
            .await
            .unwrap();
        ws.stdin.send(&b"over tls\n"[..]).await.unwrap();
        let mut seen = Vec::new();
        while !seen.ends_with(b"over tls\n") {
            let chunk = tokio::time::timeout(Duration::from_secs(20), ws.output.next())
                .await
                .expect("the echo within 20 s")
                .expect("output before the close")
                .unwrap();
            seen.extend_from_slice(&chunk.bytes);
        }
        ws.stdin.close().await.unwrap();
        let rest: Vec<_> = tokio::time::timeout(Duration::from_secs(20), ws.output.try_collect())
            .await
            .expect("the daemon answers the close")
            .expect("a clean close");
        assert!(rest.is_empty(), "{rest:?}");
        // The daemon goes away with the test; the container is removed all the same.
        client
            .container_delete()
            .id(&id)
            .force(true)
            .send()
            .await
            .unwrap();
    }
}
