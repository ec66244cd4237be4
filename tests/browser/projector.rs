//! The projector and the public draw page after the reveal (issue 22).
