//! The booth's shared tablet (/kiosk): one visitor never sees the one before.
