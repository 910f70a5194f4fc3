//! Building the app with Trunk and generating its service worker's precache list.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::util::{self, run, step};

/// Builds the app into `dist/` (release: optimised and wasm-opt'ed) and writes `dist/sw.js`
/// with the list of every built file, so the app starts offline after one visit.
pub fn build_app(release: bool) -> Result<PathBuf, String> {
    step(if release {
        "build app (release)"
    } else {
        "build app (dev)"
    });
    let mut trunk = util::command("trunk");
    trunk.args(["build", "--offline"]);
    if release {
        trunk.arg("--release");
    }
    run(&mut trunk)?;
    let dist = util::root().join("dist");
    check_export_worker(&dist)?;
    externalize_boot_script(&dist)?;
    write_service_worker(&dist)?;
    Ok(dist)
}

/// The export worker's files (`cunju-export-worker.js`, `…_bg.wasm`, `…_loader.js`): loaded by
/// the app on the first export or fallback QR scan, never on the first visit. The service
/// worker precaches them; the first-visit size (bench P1) leaves them out.
pub const ON_DEMAND_PREFIX: &str = "cunju-export-worker";

/// Is this `dist/` file (path relative to `dist/`) loaded on demand only?
pub fn is_on_demand(rel: &str) -> bool {
    rel.trim_start_matches('/').starts_with(ON_DEMAND_PREFIX)
}

/// The worker must be there (the app starts `/cunju-export-worker_loader.js`) and the page must
/// not load it: Trunk drops a worker's `<link>` and preloads nothing of it.
pub fn check_export_worker(dist: &Path) -> Result<(), String> {
    for file in [
        "cunju-export-worker_loader.js",
        "cunju-export-worker.js",
        "cunju-export-worker_bg.wasm",
    ] {
        if !dist.join(file).is_file() {
            return Err(format!(
                "dist/{file} is missing: the export worker was not built"
            ));
        }
    }
    let html = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("cannot read dist/index.html: {e}"))?;
    if html.contains(ON_DEMAND_PREFIX) {
        return Err("dist/index.html loads the export worker: it must load on demand only".into());
    }
    Ok(())
}

/// Trunk writes the wasm loader as an inline `<script type="module">` in index.html. The
/// server's Content-Security-Policy allows scripts from 'self' only, so move the loader into its
/// own content-hashed file and reference it.
pub fn externalize_boot_script(dist: &Path) -> Result<(), String> {
    const OPEN: &str = "<script type=\"module\">";
    let index_path = dist.join("index.html");
    let html = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("cannot read dist/index.html: {e}"))?;
    let Some(start) = html.find(OPEN) else {
        return Ok(()); // already external
    };
    let body_start = start + OPEN.len();
    let end = html[body_start..]
        .find("</script>")
        .map(|i| body_start + i)
        .ok_or("dist/index.html: unterminated inline script")?;
    let script = html[body_start..end].trim();
    let mut hasher = DefaultHasher::new();
    script.hash(&mut hasher);
    let name = format!("boot-{:016x}.js", hasher.finish());
    std::fs::write(dist.join(&name), format!("{script}\n"))
        .map_err(|e| format!("cannot write {name}: {e}"))?;
    let tag = format!("<script type=\"module\" src=\"/{name}\"></script>");
    let html = format!(
        "{}{tag}{}",
        &html[..start],
        &html[end + "</script>".len()..]
    );
    std::fs::write(&index_path, html).map_err(|e| format!("cannot write dist/index.html: {e}"))?;
    Ok(())
}

/// Fills the placeholders of `dist/sw.js`: the precache list and a build hash over it.
pub fn write_service_worker(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect_files(dist, dist, &mut files)?;
    files.retain(|f| f != "/sw.js");
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        file.hash(&mut hasher);
        let bytes = std::fs::read(dist.join(file.trim_start_matches('/')))
            .map_err(|e| format!("cannot read {file}: {e}"))?;
        bytes.hash(&mut hasher);
    }
    let mut precache = vec!["/".to_string()];
    precache.extend(files);
    let list = format!(
        "[{}]",
        precache
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sw_path = dist.join("sw.js");
    let template =
        std::fs::read_to_string(&sw_path).map_err(|e| format!("cannot read dist/sw.js: {e}"))?;
    if !template.contains("__CUNJU_PRECACHE__") {
        return Err("dist/sw.js has no __CUNJU_PRECACHE__ placeholder".into());
    }
    let sw = template
        .replace("__CUNJU_PRECACHE__", &list)
        .replace("__CUNJU_BUILD_HASH__", &format!("{:016x}", hasher.finish()));
    std::fs::write(&sw_path, sw).map_err(|e| format!("cannot write dist/sw.js: {e}"))?;
    println!("service worker: {} files precached", precache.len());
    Ok(())
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push(format!("/{rel}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_worker_lists_every_built_file_but_itself() {
        let dir = std::env::temp_dir().join(format!("cunju-sw-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::write(dir.join("index.html"), "<html>").unwrap();
        std::fs::write(dir.join("icons/a.png"), [1, 2, 3]).unwrap();
        std::fs::write(
            dir.join("sw.js"),
            "const V = \"__CUNJU_BUILD_HASH__\"; const P = __CUNJU_PRECACHE__;",
        )
        .unwrap();
        write_service_worker(&dir).unwrap();
        let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert!(
            sw.contains(r#"["/", "/icons/a.png", "/index.html"]"#),
            "{sw}"
        );
        assert!(!sw.contains("__CUNJU_BUILD_HASH__"));
        assert!(!sw.contains("\"/sw.js\""));
        // A second build of the same files yields the same hash; a changed file changes it.
        std::fs::write(
            dir.join("sw.js"),
            "const V = \"__CUNJU_BUILD_HASH__\"; const P = __CUNJU_PRECACHE__;",
        )
        .unwrap();
        write_service_worker(&dir).unwrap();
        assert_eq!(sw, std::fs::read_to_string(dir.join("sw.js")).unwrap());
        std::fs::write(dir.join("icons/a.png"), [9]).unwrap();
        std::fs::write(
            dir.join("sw.js"),
            "const V = \"__CUNJU_BUILD_HASH__\"; const P = __CUNJU_PRECACHE__;",
        )
        .unwrap();
        write_service_worker(&dir).unwrap();
        assert_ne!(sw, std::fs::read_to_string(dir.join("sw.js")).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn inline_loader_moves_to_its_own_file() {
        let dir = std::env::temp_dir().join(format!("cunju-boot-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let html = "<head>\n<script type=\"module\">\nimport init from '/a.js';\nawait init();\n</script><link rel=x></head>";
        std::fs::write(dir.join("index.html"), html).unwrap();
        externalize_boot_script(&dir).unwrap();
        let out = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(!out.contains("import init"), "{out}");
        let src = out
            .split("src=\"/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(src.starts_with("boot-") && src.ends_with(".js"), "{src}");
        let boot = std::fs::read_to_string(dir.join(src)).unwrap();
        assert!(boot.starts_with("import init from '/a.js';"));
        assert!(out.ends_with("<link rel=x></head>"));
        // Running again changes nothing.
        externalize_boot_script(&dir).unwrap();
        assert_eq!(
            out,
            std::fs::read_to_string(dir.join("index.html")).unwrap()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_export_worker_must_be_built_and_not_loaded_by_the_page() {
        let dir = std::env::temp_dir().join(format!("cunju-worker-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<script src=/cunju-abc.js></script>",
        )
        .unwrap();
        assert!(check_export_worker(&dir).unwrap_err().contains("not built"));
        for f in [
            "cunju-export-worker_loader.js",
            "cunju-export-worker.js",
            "cunju-export-worker_bg.wasm",
        ] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        check_export_worker(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<link rel=preload href=/cunju-export-worker_bg.wasm>",
        )
        .unwrap();
        assert!(check_export_worker(&dir).unwrap_err().contains("on demand"));
        assert!(is_on_demand("/cunju-export-worker_bg.wasm"));
        assert!(is_on_demand("cunju-export-worker_loader.js"));
        assert!(!is_on_demand("/cunju-5f2a_bg.wasm"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_placeholder_is_an_error() {
        let dir = std::env::temp_dir().join(format!("cunju-sw-missing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("sw.js"), "already processed").unwrap();
        assert!(write_service_worker(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
