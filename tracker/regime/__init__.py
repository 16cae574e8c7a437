"""The regime's judgements and outputs: lights, red/black list, bulletins, evaluation."""
