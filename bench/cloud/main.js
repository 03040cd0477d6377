/* global Parse -- cloud code runs with the Parse SDK as a global, on both servers */
// The cloud code both servers load for the `function` scenario: one trivial function, so the measurement
// is the round trip through each server's function machinery (routing, validation, encoding), not the work.
Parse.Cloud.define('benchEcho', (request) => ({ echo: request.params.n ?? 0 }));
