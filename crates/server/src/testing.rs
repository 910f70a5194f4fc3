//! Helpers for tests: run the real server in-process on an ephemeral port.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{AppState, build_app};

/// A server running on `127.0.0.1:<ephemeral>` until dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    handle: JoinHandle<()>,
}

impl TestServer {
    pub async fn start(state: AppState) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind ephemeral port");
        let addr = listener.local_addr().expect("local addr");
        let app = build_app(state).await;
        let handle = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("server failed");
        });
        TestServer { addr, handle }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
