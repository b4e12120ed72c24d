package dev.envelope.kms.internal;

/** KMS key states (the emulator never uses Unavailable: it has no custom key stores). */
public enum KeyState {
  Creating, Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, Updating
}
