//! One rule for every request: no NUL character in the query string, a form or a JSON body.
//! Nothing a person types contains one, PostgreSQL cannot store one, and a search index
//! query with one fails — so it is refused here with a clear 400 instead of a 500 later.

use actix_web::{
    Error, HttpResponse,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web::Bytes,
};

/// A NUL byte, or one written as a form (`%00`) or JSON (`\u0000`) would write it.
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || bytes.windows(3).any(|w| w == b"%00")
        || bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

fn refusal(req: &ServiceRequest, status: StatusCode, message: &str) -> HttpResponse {
    if req.path().starts_with("/api/") {
        HttpResponse::build(status).json(serde_json::json!({ "error": message }))
    } else {
        HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(message.to_owned())
    }
}

pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let mut refused = has_nul(req.query_string().as_bytes());
    let is_text = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-www-form-urlencoded") || v.starts_with("application/json")
        });
    if !refused && is_text {
        if req.path() == crate::web::api::sync::PATH {
            // A sync may send more than a form: its own limit applies to the body read here.
            let mut larger = actix_web::dev::Extensions::new();
            larger.insert(actix_web::web::PayloadConfig::new(
                crate::web::api::sync::BODY_LIMIT,
            ));
            req.add_data_container(std::rc::Rc::new(larger));
        }
        match req.extract::<Bytes>().await {
            Ok(body) => {
                refused = has_nul(&body);
                req.set_payload(Payload::from(body));
            }
            Err(error) => {
                // Too large (or broken): answered here, so that the answer still passes the
                // header middleware and an API client still gets JSON.
                let status = error.as_response_error().status_code();
                let response = refusal(
                    &req,
                    status,
                    &format!("The request body was refused: {error}."),
                );
                return Ok(req.into_response(response).map_into_right_body());
            }
        }
    }
    if refused {
        let message = "The request contains a NUL character, which no field accepts.";
        let response = refusal(&req, StatusCode::BAD_REQUEST, message);
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
