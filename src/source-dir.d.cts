declare const SOURCE_DIR: string
export = SOURCE_DIR
