//! One rule for every request of the UI: no NUL character in the query string or in a form.
//! Nothing a person types contains one, PostgreSQL cannot store one, and a search index
//! query with one fails — so it is refused here with a clear 400 instead of a 500 later.

use actix_web::{
    Error, HttpResponse,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web::Bytes,
};

fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let mut refused = has_nul(req.query_string().as_bytes());
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !refused && is_form {
        let body = req.extract::<Bytes>().await?;
        refused = has_nul(&body);
        req.set_payload(Payload::from(body));
    }
    if refused {
        let response = HttpResponse::BadRequest()
            .content_type("text/plain; charset=utf-8")
            .body("The request contains a NUL character, which no field accepts.");
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
