"""The domain of a report, with no request in sight: its workflow, how it is
submitted, numbered, moderated and handled, the messages with its reporter,
its followers and supporters, and the settings and offices it depends on."""
