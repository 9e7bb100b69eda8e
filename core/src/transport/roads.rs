//! Which road a request takes to the daemon ([`Road`]): a streaming `GET` (logs, events, stats,
//! exports) on a connection of its own that its reader's task drives, everything else through
//! the pool (see `wire::HttpClient`).

use http::Method;

use crate::wire::{Request, Road};

/// The operations whose success body is a stream (progress lines, container output, tar
/// archives), by method name as requests name themselves: the generator's list
/// (`docker_engine_codegen::policy::STREAMING_OPERATIONS`), which a test of docker-engine-client
/// compares with this one, so both sides agree.
pub const STREAMING_OPERATIONS: &[&str] = &[
    // JSON progress and message lines
    "image_create",
    "image_push",
    "image_build",
    "image_load",
    "plugin_pull",
    "plugin_upgrade",
    "plugin_push",
    "system_events",
    "container_stats",
    // container output
    "container_logs",
    "service_logs",
    "task_logs",
    "container_attach",
    "exec_start",
    // tar archives
    "container_export",
    "container_archive",
    "container_get_archive",
    "image_get",
    "image_get_all",
];

/// The road of `request` of `operation`; `alone`: a request without a body goes on a connection
/// of its own, never the pool's (whose connections are driven by tasks of the runtime that opened
/// them: see `ClientState::on_own_connections`).
pub(crate) fn road(request: &Request, operation: &str, alone: bool) -> Road {
    if alone {
        Road::Own
    } else if streams(request, operation) {
        Road::OwnOrPooled
    } else {
        Road::Pooled
    }
}

/// Whether `request` of `operation` is a streaming `GET` without a body: an operation whose
/// answer is a stream (the generator's list, so both sides agree).
fn streams(request: &Request, operation: &str) -> bool {
    request.method() == Method::GET
        && request.body().is_none()
        && STREAMING_OPERATIONS.contains(&operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str) -> Request {
        Request::new(
            method,
            format!("http://docker/v1.51{path}").parse().unwrap(),
        )
    }

    #[test]
    fn streaming_gets_take_their_own_connection() {
        for operation in [
            "container_logs",
            "service_logs",
            "task_logs",
            "system_events",
            "container_stats",
            "container_export",
            "container_archive",
            "container_get_archive",
            "image_get",
            "image_get_all",
        ] {
            assert_eq!(
                road(&request(Method::GET, "/x"), operation, false),
                Road::OwnOrPooled,
                "{operation}"
            );
        }
        for operation in ["container_list", "image_inspect", "system_ping"] {
            assert_eq!(
                road(&request(Method::GET, "/x"), operation, false),
                Road::Pooled,
                "{operation}"
            );
        }
        // Not a GET: an attach, a pull.
        for operation in ["container_attach", "image_create", "container_logs"] {
            assert_eq!(
                road(&request(Method::POST, "/x"), operation, false),
                Road::Pooled
            );
        }
        // A GET with a body.
        let mut with_body = request(Method::GET, "/containers/x/logs");
        *with_body.body_mut() = Some("x".into());
        assert_eq!(road(&with_body, "container_logs", false), Road::Pooled);
        // Alone: always its own.
        assert_eq!(
            road(&request(Method::GET, "/_ping"), "system_ping", true),
            Road::Own
        );
    }
}
