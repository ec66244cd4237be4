//! The visitor's page on an ordinary booth day (issue 22): the notice after a reload, wins that tell the truth, lost replies retried.
