"""Text rewards on the completion's shape, not its correctness: the output format (tags, one
answer box, fences), the natural language a reasoning is written in, and shaping (length,
repetition); none of them grades an answer or runs code."""
