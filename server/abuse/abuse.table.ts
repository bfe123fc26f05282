export interface AbuseSecretTable {
  day: string;
  secret: Buffer;
}

export interface RateLimitCounterTable {
  bucket: Buffer;
  window_start: Date;
  hits: number;
}
