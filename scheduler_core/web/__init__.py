"""What the doors for people share (the dashboard, the JSON API, the admin): who is asking
and what they may do, how often they may submit, reading what they typed, and writing the
audit record of what they did."""
