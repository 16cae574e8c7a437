"""Sign-off (销号) and extension (延期) requests and the office's decisions on them."""
