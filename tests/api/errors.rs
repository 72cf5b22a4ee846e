//! Error answers at the HTTP edge: a database with no connection free, and a session
//! middleware that cannot find the application state.

use std::sync::mpsc;
use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::{test, web, App, HttpResponse};
use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// Waits out the pool's checkout timeout (10 s) once, on purpose.
#[tokio::test]
async fn a_page_answers_503_with_retry_after_while_every_connection_is_busy() {
    // Arrange: hold every reading connection (on PostgreSQL, the one shared pool).
    let app = spawn_app().await;
    let size = app.settings.database.pool_size as usize;
    let (held_tx, held_rx) = mpsc::channel::<()>();
    let mut releases = Vec::new();
    let mut holders = Vec::new();
    for _ in 0..size {
        let (release_tx, release_rx) = mpsc::channel::<()>();
        releases.push(release_tx);
        let (db, held) = (app.db.clone(), held_tx.clone());
        holders.push(std::thread::spawn(move || {
            db.read_blocking(move |_conn| {
                let _ = held.send(());
                // Returns once the sender is dropped.
                let _ = release_rx.recv();
                Ok(())
            })
        }));
    }
    let all_held = tokio::task::spawn_blocking(move || {
        (0..size).all(|_| held_rx.recv_timeout(Duration::from_secs(30)).is_ok())
    })
    .await
    .unwrap();
    assert!(all_held, "the test could not take every connection");

    // Act: the home page needs a connection to decide where to send a visitor.
    let r = app.get("/").await;
    drop(releases);
    for h in holders {
        h.join().unwrap().unwrap();
    }

    // Assert
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("10")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("The portal is busy right now"), "{body}");
    // And once the connections are back, the same page works again.
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn without_the_application_state_the_session_middleware_refuses_requests() {
    let service = test::init_service(
        App::new()
            .wrap(from_fn(trellis::auth::session::middleware))
            .route("/", web::get().to(|| async { HttpResponse::Ok().finish() }))
            .route(
                "/",
                web::post().to(|| async { HttpResponse::Ok().finish() }),
            ),
    )
    .await;

    let post = test::TestRequest::post()
        .uri("/")
        .set_form([("csrf_token", "anything")])
        .to_request();
    let r = test::call_service(&service, post).await;
    assert_eq!(
        r.status(),
        actix_web::http::StatusCode::INTERNAL_SERVER_ERROR
    );

    let get = test::TestRequest::get().uri("/").to_request();
    let r = test::call_service(&service, get).await;
    assert_eq!(
        r.status(),
        actix_web::http::StatusCode::INTERNAL_SERVER_ERROR
    );
}
