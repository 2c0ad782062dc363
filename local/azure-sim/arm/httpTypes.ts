/** A parsed request as the simulator's handlers see it. */
export interface SimRequest {
  method: string;
  url: URL;
  /** Decoded path segments. */
  segments: string[];
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** https://127.0.0.1:port */
  baseUrl: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
