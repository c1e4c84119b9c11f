// The value types of the API (`Bytes`, `RESPValue`, `RESPVersion`) come from EmberRESP; an
// application importing EmberClient gets them without a second import.
@_exported import EmberRESP
