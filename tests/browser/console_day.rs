//! The staff console on a booth day (issue 22): every set's rounds, erasing one person, the claim desk at phone size.
