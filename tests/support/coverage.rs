//! Records every request the tests make — operation, HTTP status and the API version in its path,
//! from the crate's own `docker.request` tracing spans — into
//! `target/dec-coverage/<test>-<pid>.txt`, one `operation status version` line each (`-` for an
//! unversioned path), for `cargo xtask coverage --daemon legacy|modern`.

use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, Once};

use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

struct Recorder {
    file: Mutex<File>,
}

#[derive(Default)]
struct Call {
    operation: String,
    status: Option<u64>,
    /// `1.51` of `/v1.51/containers/json`.
    version: Option<String>,
}

/// The API version a request path starts with (`/v1.51/...`, or under a host's prefix).
fn path_version(path: &str) -> Option<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('v'))
        .find(|v| v.starts_with("1.") && v[2..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

struct Fields<'a>(&'a mut Call);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "operation" => self.0.operation = value.to_string(),
            "path" => self.0.version = path_version(value),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.0.status = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "docker.request" {
            return;
        }
        let mut call = Call::default();
        attrs.record(&mut Fields(&mut call));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(call);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(call) = span.extensions_mut().get_mut::<Call>()
        {
            values.record(&mut Fields(call));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        let Some(call) = extensions.get::<Call>() else {
            return;
        };
        let status = call.status.map_or("-".to_string(), |s| s.to_string());
        let version = call.version.as_deref().unwrap_or("-");
        if let Ok(mut file) = self.file.lock() {
            let _ = writeln!(file, "{} {status} {version}", call.operation);
        }
    }
}

/// Installs the recorder as this test process's tracing subscriber (once).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        // target/<profile>/deps/<test>-<hash>
        let Some(target) = exe.ancestors().nth(3) else {
            return;
        };
        let dir = target.join("dec-coverage");
        let stem = exe
            .file_stem()
            .map_or("test".into(), |s| s.to_string_lossy().into_owned());
        let path = dir.join(format!("{stem}-{}.txt", std::process::id()));
        let Ok(file) = std::fs::create_dir_all(&dir).and_then(|()| File::create(&path)) else {
            return;
        };
        let subscriber = tracing_subscriber::registry().with(Recorder {
            file: Mutex::new(file),
        });
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}
