"""Taking screenshots in the app: "the screen as it was", whole screen, monitor, region."""
