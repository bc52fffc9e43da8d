"""What keeps the reporter's personal data out of the public: the detectors
of personal data in a text, the photos' clean-up, the validators of
identifiers, and the retention that erases the data in the end."""
