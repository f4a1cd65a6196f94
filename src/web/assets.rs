//! CSS, JavaScript and images from `static/`, compiled into the binary.

use actix_web::{HttpResponse, get, http::header, web};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "static/"]
struct Static;

#[get("/static/{path:.*}")]
pub async fn asset(path: web::Path<String>) -> HttpResponse {
    match Static::get(&path) {
        Some(file) => HttpResponse::Ok()
            .content_type(
                mime_guess::from_path(path.as_str())
                    .first_or_octet_stream()
                    .as_ref(),
            )
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(file.data.into_owned()),
        None => HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found"),
    }
}
