"""Photos, voice notes, audio, video and documents migrants send: fetched from the platform,
kept with the message, shown to the lawyers who may read the case, erased with the conversation."""
