//! Extractors that admit only the right kind of signed-in user.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::identity::{Identity, TwoFactorEnrolmentRequired, UserKind};
use crate::error::AppError;

/// A signed-in counselor (any counselor, admin or not).
#[derive(Debug, Clone)]
pub struct Counselor {
    pub id: i32,
    pub name: String,
    pub is_admin: bool,
    pub session_id: i32,
}

/// Where a counselor who must set up a second factor is sent.
pub const ENROLMENT_PATH: &str = "/account/two-factor";

/// A signed-in counselor who may not have set up the second factor the practice requires
/// yet: only for the enrolment pages. Everything else takes [`Counselor`].
#[derive(Debug, Clone)]
pub struct Enrolling(pub Counselor);

/// A signed-in counselor who is also the practice admin.
#[derive(Debug, Clone)]
pub struct Admin(pub Counselor);

/// A signed-in partner, with the one couple they belong to.
#[derive(Debug, Clone)]
pub struct Partner {
    pub id: i32,
    pub couple_id: i32,
    pub name: String,
    pub session_id: i32,
}

/// Anyone: signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor(pub Option<Identity>);

fn identity(req: &HttpRequest) -> Option<Identity> {
    req.extensions().get::<Identity>().cloned()
}

impl FromRequest for Counselor {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req
            .extensions()
            .get::<TwoFactorEnrolmentRequired>()
            .is_some()
        {
            return ready(Err(AppError::SignInRequired(ENROLMENT_PATH)));
        }
        ready(
            Enrolling::from_request(req, payload)
                .into_inner()
                .map(|e| e.0),
        )
    }
}

impl FromRequest for Enrolling {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match identity(req) {
            Some(i) if i.kind == UserKind::Counselor => Ok(Enrolling(Counselor {
                id: i.user_id,
                name: i.display_name,
                is_admin: i.is_admin,
                session_id: i.session_id,
            })),
            Some(_) => Err(AppError::NotFound),
            None => Err(AppError::SignInRequired("/login")),
        })
    }
}

impl FromRequest for Admin {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let counselor = Counselor::from_request(req, payload).into_inner();
        ready(counselor.and_then(|c| {
            if c.is_admin {
                Ok(Admin(c))
            } else {
                Err(AppError::NotFound)
            }
        }))
    }
}

impl FromRequest for Partner {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match identity(req) {
            Some(Identity {
                kind: UserKind::Partner,
                user_id,
                couple_id: Some(couple_id),
                display_name,
                session_id,
                ..
            }) => Ok(Partner {
                id: user_id,
                couple_id,
                name: display_name,
                session_id,
            }),
            Some(_) => Err(AppError::NotFound),
            None => Err(AppError::SignInRequired("/sign-in")),
        })
    }
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Visitor(identity(req))))
    }
}
