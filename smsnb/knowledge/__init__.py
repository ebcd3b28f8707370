"""What smsnb knows about SMS: the error catalog, text encoding, phone numbers, Sinch's rules.

Pure data and functions; it imports only the wire (`smsnb.sinch`)."""
