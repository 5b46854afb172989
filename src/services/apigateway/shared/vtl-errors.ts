/**
 * Why a mapping template could not be rendered. `body`: the payload is not the JSON the
 * template reads (AWS answers 400 "Could not parse request body into json"); `limit`: the
 * template went past what Nimbus lets one render do (time, steps, sizes); `template`: the
 * template itself is broken (syntax, a bad JSONPath or regular expression). The caller turns
 * the last two into API Gateway's 500 and logs the message for the user.
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly kind: 'body' | 'limit' | 'template' = 'template',
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
